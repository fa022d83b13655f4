//! How numbers are written, everywhere: the readout, the banners, chart axes and figure captions all call
//! these, so the page and the command line's figures never disagree on a digit.

/// Powers of ten as Unicode superscripts ("10⁻⁵·²") for values far below what `{:e}` reads well.
fn superscript(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            '-' => '⁻',
            '.' => '·',
            other => other,
        })
        .collect()
}

/// `v` with `digits` significant digits: plain between 10⁻³ and 10⁴, otherwise as m × 10ⁿ; "—" when it
/// does not exist (NaN), "∞" for infinities.
pub fn number(v: f64, digits: usize) -> String {
    if v.is_nan() {
        return "—".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let a = v.abs();
    if !(1e-3..1e4).contains(&a) {
        let exponent = a.log10().floor() as i32;
        let mantissa = v / 10f64.powi(exponent);
        let m = trim_zeros(&format!("{:.*}", digits.saturating_sub(1), mantissa));
        // Rounding can carry the mantissa to 10.
        let (m, exponent) = if m.trim_start_matches('-') == "10" {
            (if v < 0.0 { "-1".to_string() } else { "1".to_string() }, exponent + 1)
        } else {
            (m, exponent)
        };
        let m = m.replace('-', "−");
        return if m == "1" || m == "−1" {
            format!("{}10{}", if m.starts_with('−') { "−" } else { "" }, superscript(&exponent.to_string()))
        } else {
            format!("{m}×10{}", superscript(&exponent.to_string()))
        };
    }
    let decimals = (digits as i32 - 1 - a.log10().floor() as i32).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).replace('-', "−")
}

/// A value given by its base-10 logarithm (for losses that underflow a double): plain when it is above
/// 10⁻⁴, else "10⁻¹²·³" with one decimal in the exponent.
pub fn power_of_ten(log10: f64) -> String {
    if log10.is_nan() {
        return "—".into();
    }
    if log10 == f64::NEG_INFINITY {
        return "0".into();
    }
    if log10 > -4.0 {
        return number(10f64.powf(log10), 3);
    }
    format!("10{}", superscript(&format!("{log10:.1}")))
}

/// A share as a percentage with one decimal ("97.5%").
pub fn percent(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else {
        format!("{:.1}%", 100.0 * v)
    }
}

/// An angle in degrees with four significant digits ("0.1234°").
pub fn degrees(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else {
        format!("{}°", number(v, 4))
    }
}

/// Step counts for axes: 1, 10, 100, 1k, 10k, 1M.
pub fn steps(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

/// A count with thousands separators ("12,345").
pub fn count(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in milliseconds as "0.4 ms", "35 ms", "2.1 s", "3 min".
pub fn duration_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "—".into();
    }
    if ms < 10.0 {
        format!("{} ms", trim(ms))
    } else if ms < 1000.0 {
        format!("{:.0} ms", ms)
    } else if ms < 60_000.0 {
        format!("{} s", trim(ms / 1000.0))
    } else {
        format!("{:.0} min", ms / 60_000.0)
    }
}

/// An axis tick on an axis spanning `span`: a value within a billionth of the span of zero is zero (tick
/// positions are computed in floating point, so the tick at zero can come out as −6×10⁻¹⁷).
pub fn axis_tick(v: f64, span: f64) -> String {
    axis_value(if v.abs() <= span.abs() * 1e-9 { 0.0 } else { v })
}

/// Axis values with a sensible number of digits.
pub fn axis_value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        number(v, 1)
    } else if a < 1.0 {
        trim_zeros(&format!("{v:.3}")).replace('-', "−")
    } else {
        trim(v).replace('-', "−")
    }
}

fn trim(v: f64) -> String {
    trim_zeros(&format!("{v:.1}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each form, with the string a reader sees.
    #[test]
    fn numbers_read_as_written() {
        assert_eq!(number(0.012345, 3), "0.0123");
        assert_eq!(number(123.456, 3), "123");
        assert_eq!(number(-2.5, 3), "−2.5");
        assert_eq!(number(1.5e-7, 3), "1.5×10⁻⁷");
        assert_eq!(number(99_999.0, 2), "10⁵");
        assert_eq!(number(f64::NAN, 3), "—");
        assert_eq!(power_of_ten(-5.04), "10⁻⁵·⁰");
        assert_eq!(power_of_ten(-866.3), "10⁻⁸⁶⁶·³");
        assert_eq!(power_of_ten((0.25f64).log10()), "0.25");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(degrees(7.12345), "7.123°");
        assert_eq!(steps(20_000.0), "20k");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(duration_ms(0.42), "0.4 ms");
        assert_eq!(duration_ms(2100.0), "2.1 s");
        assert_eq!(axis_value(-0.25), "−0.25");
        assert_eq!(axis_tick(-6.0e-17, 0.7), "0");
        assert_eq!(axis_tick(-0.2, 0.7), "−0.2");
        assert_eq!(axis_tick(1e-12, 1e-6), "10⁻¹²");
    }
}
