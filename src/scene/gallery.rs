//! The gallery of image data: the SVM's support vectors and the training examples with the largest weight
//! in the cross-entropy gradient, as small images with their label and both models' predictions — the
//! paper's link between support vectors and the hardest examples, shown.

use super::PageState;

/// One tile.
#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    /// Pixels, row-major, scaled to 0..1 (1 = the largest value in the data).
    pub pixels: Vec<f32>,
    /// Image width and height.
    pub size: [usize; 2],
    /// The example's class name.
    pub label: String,
    /// The network's predicted class name.
    pub net: String,
    /// The SVM's predicted class name.
    pub svm: String,
    /// Whether the network gets it wrong.
    pub net_wrong: bool,
    /// Its weight in the cross-entropy gradient.
    pub weight: f64,
    /// Its index among the training points (or the test points, for an adversarial example's).
    pub index: usize,
    /// Pixels in −1..1 (a change: drawn in two colours by sign) rather than 0..1.
    pub signed: bool,
    /// Two caption lines instead of the label and the predictions (the second in the alert colour when
    /// `net_wrong`).
    pub caption: Option<[String; 2]>,
}

/// The gallery: two rows of tiles.
#[derive(Clone, Debug, PartialEq)]
pub struct GalleryScene {
    /// The support vectors (largest gradient weight first).
    pub support: Vec<Tile>,
    /// The highest-loss examples.
    pub hardest: Vec<Tile>,
    /// Share of the support vectors among the highest-loss examples of the same number.
    pub overlap: f64,
    /// The step shown.
    pub step: u64,
    /// More rows: adversarial examples (digit, change, result) and a class-incremental run's memory, each
    /// with its title.
    pub extra: Vec<(String, Vec<Tile>)>,
}

/// How many adversarial examples the gallery shows (three tiles each).
const ADVERSARIAL_SHOWN: usize = 3;
/// How many memory images the gallery shows.
const MEMORY_SHOWN: usize = 9;
/// How many of the first convolution's filters the gallery shows.
const FILTERS_SHOWN: usize = 16;

/// The gallery of `view`, when its data are images and a measurement exists.
pub fn build(view: &PageState) -> Option<GalleryScene> {
    let data = view.data.as_ref()?;
    let size = data.info.image?;
    let m = view.measurement.as_ref().filter(|m| m.matches(data))?;
    let top = data.train.iter().fold(0.0f64, |a, &v| a.max(v)).max(1e-12);
    let names = &data.info.class_names;
    let name = |k: usize| names.get(k).cloned().unwrap_or_else(|| k.to_string());
    let tile = |g: &crate::snapshot::GalleryItem| Tile {
        pixels: data.train.row(g.index).iter().map(|&v| (v / top) as f32).collect(),
        size,
        label: name(g.label),
        net: name(g.net),
        svm: name(g.svm),
        net_wrong: g.net != g.label,
        weight: g.weight,
        index: g.index,
        signed: false,
        caption: None,
    };
    let plain = |pixels: Vec<f32>, index: usize, caption: [String; 2], alert: bool, signed: bool| Tile {
        pixels,
        size,
        label: String::new(),
        net: String::new(),
        svm: String::new(),
        net_wrong: alert,
        weight: f64::NAN,
        index,
        signed,
        caption: Some(caption),
    };
    let mut extra = Vec::new();
    let adversarial = view.attacks().map_or(&[][..], |(_, points)| points);
    let mut attacked: Vec<_> = adversarial.iter().filter(|p| p.test && p.distance.is_finite()).collect();
    crate::order::sort_by_key(&mut attacked, |p| (p.distance, p.index));
    let mut tiles = Vec::new();
    for p in attacked.into_iter().take(ADVERSARIAL_SHOWN) {
        let x = data.test.row(p.index);
        let change: Vec<f64> = p.point.iter().zip(x).map(|(a, b)| a - b).collect();
        let most = change.iter().fold(0.0f64, |a, v| a.max(v.abs())).max(1e-12);
        tiles.push(plain(
            x.iter().map(|&v| (v / top) as f32).collect(),
            p.index,
            [format!("label {}", name(data.test_labels[p.index])), format!("net {}", name(p.from))],
            false,
            false,
        ));
        tiles.push(plain(
            change.iter().map(|v| (v / most) as f32).collect(),
            p.index,
            [
                format!("change ×{}", crate::format::number(top / most, 2)),
                format!("‖δ‖ = {}", crate::format::number(p.distance, 3)),
            ],
            false,
            true,
        ));
        tiles.push(plain(
            p.point.iter().map(|&v| (v / top) as f32).collect(),
            p.index,
            ["adversarial".into(), format!("net → {}", name(p.to))],
            true,
            false,
        ));
    }
    if !tiles.is_empty() {
        extra.push((
            "Adversarial examples: the test images easiest to attack — the image, the change (magnified), the result"
                .into(),
            tiles,
        ));
    }
    if let Some(crate::nn::Layer::Conv(conv)) = m.network.layers().first() {
        let k = conv.spec().kernel;
        let filters: Vec<&[f64]> = (0..conv.spec().channels).map(|o| conv.kernel(o, 0)).collect();
        let most = filters.iter().flat_map(|f| f.iter()).fold(0.0f64, |a, v| a.max(v.abs())).max(1e-12);
        let tiles = filters
            .iter()
            .enumerate()
            .take(FILTERS_SHOWN)
            .map(|(o, f)| {
                let norm = f.iter().map(|v| v * v).sum::<f64>().sqrt();
                Tile {
                    size: [k, k],
                    ..plain(
                        f.iter().map(|v| (v / most) as f32).collect(),
                        o,
                        [format!("filter {}", o + 1), format!("‖w‖ = {}", crate::format::number(norm, 2))],
                        false,
                        true,
                    )
                }
            })
            .collect();
        let channel = if conv.input_channels() > 1 { ", on the first input channel" } else { "" };
        extra.push((
            format!(
                "The first convolution's filters ({k} × {k}{channel}; orange positive, blue negative, on one \
                 scale)"
            ),
            tiles,
        ));
    }
    let memory = view.memory();
    if !memory.is_empty() {
        let f = view.forgetting.as_ref().expect("a memory belongs to a class-incremental run");
        let tiles = memory
            .iter()
            .take(MEMORY_SHOWN)
            .map(|&i| {
                plain(
                    data.train.row(i).iter().map(|&v| (v / top) as f32).collect(),
                    i,
                    [format!("label {}", name(data.train_labels[i])), String::new()],
                    false,
                    false,
                )
            })
            .collect();
        extra.push((
            format!(
                "Memory of the arm shown ({}): {} of the old classes' training images, rehearsed with the new classes",
                f.shown.title(),
                memory.len()
            ),
            tiles,
        ));
    }
    Some(GalleryScene {
        support: m.gallery.iter().filter(|g| g.support).map(tile).collect(),
        hardest: m.gallery.iter().filter(|g| !g.support).map(tile).collect(),
        overlap: m.metrics.sv_overlap,
        step: m.metrics.step,
        extra,
    })
}
