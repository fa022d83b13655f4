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
    /// Its index among the training points.
    pub index: usize,
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
}

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
    };
    Some(GalleryScene {
        support: m.gallery.iter().filter(|g| g.support).map(tile).collect(),
        hardest: m.gallery.iter().filter(|g| !g.support).map(tile).collect(),
        overlap: m.metrics.sv_overlap,
        step: m.metrics.step,
    })
}
