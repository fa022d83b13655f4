//! exp, expm1, tanh and the logistic function from IEEE-exact operations only (+ − × ÷ and exponent bits).
//!
//! Two reasons to write these by hand: the activations are the hot path of training (the system `tanh`
//! took half of a step's time), and operations that are exact in IEEE arithmetic give bit-identical results
//! natively and in WebAssembly, so a run in the page and on the command line follow the same trajectory.
//! Accuracy: within 2 ulp of the correctly rounded value on the tested ranges (see the tests).

/// 1/k! for k = 0..=17 (Taylor coefficients).
const INV_FACT: [f64; 18] = [
    1.0,
    1.0,
    0.5,
    0.166_666_666_666_666_66,
    0.041_666_666_666_666_664,
    0.008_333_333_333_333_333,
    0.001_388_888_888_888_889,
    0.000_198_412_698_412_698_4,
    2.480_158_730_158_73e-5,
    2.755_731_922_398_589e-6,
    2.755_731_922_398_589_3e-7,
    2.505_210_838_544_172e-8,
    2.087_675_698_786_81e-9,
    1.605_904_383_682_161_3e-10,
    1.147_074_559_772_972_5e-11,
    7.647_163_731_819_816e-13,
    4.779_477_332_387_385e-14,
    2.811_457_254_345_520_6e-15,
];

/// 2^(j/64) for j = 0..64, correctly rounded (computed with 50-digit decimal arithmetic).
const EXP2_TABLE: [f64; 64] = [
    1.0,
    1.0108892860517005,
    1.0218971486541166,
    1.0330248790212284,
    1.0442737824274138,
    1.0556451783605572,
    1.0671404006768237,
    1.0787607977571199,
    1.0905077326652577,
    1.102382583307841,
    1.1143867425958924,
    1.1265216186082418,
    1.1387886347566916,
    1.1511892299529827,
    1.1637248587775775,
    1.1763969916502812,
    1.189207115002721,
    1.202156731452703,
    1.215247359980469,
    1.22848053610687,
    1.241857812073484,
    1.255380757024691,
    1.2690509571917332,
    1.2828700160787783,
    1.2968395546510096,
    1.3109612115247644,
    1.3252366431597413,
    1.339667524053303,
    1.3542555469368927,
    1.3690024229745905,
    1.383909881963832,
    1.3989796725383112,
    std::f64::consts::SQRT_2,
    1.42961333839197,
    1.4451808069770467,
    1.460917794180647,
    1.4768261459394993,
    1.4929077282912648,
    1.5091644275934228,
    1.5255981507445384,
    1.5422108254079407,
    1.559004400237837,
    1.5759808451078865,
    1.593142151342267,
    1.6104903319492543,
    1.6280274218573478,
    1.645755478153965,
    1.6636765803267364,
    1.681792830507429,
    1.7001063537185235,
    1.718619298122478,
    1.7373338352737062,
    1.7562521603732995,
    1.7753764925265212,
    1.7947090750031072,
    1.8142521755003989,
    1.8340080864093424,
    1.8539791250833855,
    1.8741676341103,
    1.8945759815869656,
    1.9152065613971474,
    1.9360617934922943,
    1.9571441241754002,
    1.978456026387951,
];

/// ln2/64 split into a high part with 28 trailing zero bits (k·HI is exact for |k| < 2²⁵) and the rest.
const LN2_64_HI: f64 = 0.010830424260348082;
const LN2_64_LO: f64 = 4.3590106387089914e-10;
const INV_LN2_64: f64 = 92.33248261689366;
/// Adding and subtracting 1.5·2⁵² rounds to the nearest integer (ties to even) with IEEE operations only.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// eʳ − 1 for |r| ≤ ~0.35 by the Taylor series to degree 13 (error below 2⁻⁵³ relative).
#[inline]
fn expm1_reduced(r: f64) -> f64 {
    let mut p = INV_FACT[13];
    for k in (2..13).rev() {
        p = p * r + INV_FACT[k];
    }
    r + r * r * p
}

/// eˣ. Returns +∞ above ~709.78 and 0 below ~−745.1, like the system's. Table-driven: x = (64m + j)·ln2/64 + r
/// with |r| ≤ ln2/128, eˣ = 2ᵐ · 2^(j/64) · eʳ, eʳ by a degree-6 polynomial.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    let kf = (x * INV_LN2_64 + ROUNDER) - ROUNDER;
    let k = kf as i64;
    let r = (x - kf * LN2_64_HI) - kf * LN2_64_LO;
    let p = r + r * r * (0.5 + r * (INV_FACT[3] + r * (INV_FACT[4] + r * (INV_FACT[5] + r * INV_FACT[6]))));
    let j = k.rem_euclid(64) as usize;
    let m = (k - j as i64) / 64;
    let t = EXP2_TABLE[j];
    scale_by_pow2(t + t * p, m as i32)
}

/// eˣ for x in [−708, 708], without [`exp`]'s checks for NaN, overflow and underflow (the hot path of tanh):
/// the same operations as `exp` on that range, so the same bits.
#[inline]
fn exp_moderate(x: f64) -> f64 {
    let kf = (x * INV_LN2_64 + ROUNDER) - ROUNDER;
    let k = kf as i64;
    let r = (x - kf * LN2_64_HI) - kf * LN2_64_LO;
    let p = r + r * r * (0.5 + r * (INV_FACT[3] + r * (INV_FACT[4] + r * (INV_FACT[5] + r * INV_FACT[6]))));
    // k = 64m + j with 0 ≤ j < 64: the low six bits and an arithmetic shift (what rem_euclid and the exact
    // division by 64 compute).
    let t = EXP2_TABLE[(k & 63) as usize];
    let m = k >> 6;
    (t + t * p) * f64::from_bits(((m + 1023) as u64) << 52)
}

/// y · 2ᵏ for k in [−1075, 1024], exact whenever the result is a normal number.
#[inline]
fn scale_by_pow2(y: f64, k: i32) -> f64 {
    let pow2 = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    if k > 1023 {
        y * pow2(1023) * pow2(k - 1023)
    } else if k < -1022 {
        // Two steps keep the intermediate normal; the final product rounds once into the subnormals.
        y * pow2(-1022) * pow2((k + 1022).max(-1022))
    } else {
        y * pow2(k)
    }
}

/// eˣ − 1, accurate near 0.
#[inline]
pub fn expm1(x: f64) -> f64 {
    if x.abs() <= 0.34 {
        expm1_reduced(x)
    } else if x < -40.0 {
        -1.0
    } else {
        exp(x) - 1.0
    }
}

/// tanh z.
#[inline]
pub fn tanh(z: f64) -> f64 {
    let a = z.abs();
    let t = if a < 0.17 {
        // tanh = e/(e + 2) with e = expm1(2a), no cancellation.
        let e = expm1_reduced(2.0 * a);
        e / (e + 2.0)
    } else if a < 19.1 {
        // 1 − 2/(e^{2a} + 1), with e^{−2a} ≤ 0.72 so the subtraction loses under a bit.
        let e = exp_moderate(-2.0 * a);
        (1.0 - e) / (1.0 + e)
    } else {
        1.0
    };
    if z < 0.0 {
        -t
    } else if z.is_nan() {
        z
    } else {
        t
    }
}

/// The logistic function 1/(1 + e^−z), without overflow.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + exp(-z))
    } else {
        let e = exp(z);
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        let spacing = f64::EPSILON * b.abs().max(f64::MIN_POSITIVE);
        (a - b).abs() / spacing
    }

    /// Against the system's functions on a dense sweep: exp within 2 ulp on [−700, 700], tanh and expm1
    /// within 3 ulp on [−25, 25] (the system's are themselves within 1 ulp).
    /// The hot path of tanh takes eˣ without `exp`'s range checks: bit for bit the same as `exp` over the
    /// whole range it is used on by tanh ([−38.2, −0.34]) and beyond, so tanh is unchanged.
    #[test]
    fn exp_without_checks_is_exp_on_its_range() {
        let mut x = -708.0;
        while x <= 708.0 {
            for v in [x, x + 1e-9, x - 0.3, -x * 0.999] {
                if (-708.0..=708.0).contains(&v) {
                    assert_eq!(exp_moderate(v).to_bits(), exp(v).to_bits(), "x = {v}");
                }
            }
            x += 0.000_73;
        }
    }

    #[test]
    fn matches_the_system_functions() {
        let mut worst = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..=200_000 {
            let x = -700.0 + 1400.0 * i as f64 / 200_000.0 + 1e-7;
            worst.0 = worst.0.max(ulps(exp(x), x.exp()));
            let z = -25.0 + 50.0 * i as f64 / 200_000.0 + 1e-9;
            worst.1 = worst.1.max(ulps(tanh(z), z.tanh()));
            worst.2 = worst.2.max(ulps(expm1(z / 10.0), (z / 10.0).exp_m1()));
        }
        assert!(
            worst.0 <= 2.0 && worst.1 <= 3.0 && worst.2 <= 3.0,
            "worst ulps: exp {} tanh {} expm1 {}",
            worst.0,
            worst.1,
            worst.2
        );
        for tiny in [1e-300, 1e-20, 1e-9, 3e-5] {
            assert!(ulps(tanh(tiny), tiny.tanh()) <= 2.0 && ulps(tanh(-tiny), (-tiny).tanh()) <= 2.0);
        }
        assert_eq!(exp(-746.0), 0.0);
        assert!(exp(710.0).is_infinite());
        assert!(
            ulps(exp(-740.0), (-740.0f64).exp()) <= 1.0,
            "subnormal range {} vs {}",
            exp(-740.0),
            (-740.0f64).exp()
        );
        assert_eq!(tanh(40.0), 1.0);
        assert_eq!(tanh(-40.0), -1.0);
        assert!(tanh(f64::NAN).is_nan());
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
    }
}
