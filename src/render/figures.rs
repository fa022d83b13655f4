//! Figures of a run as files: each view of a [`PageState`] drawn as SVG (see [`super::svg`]) with the
//! configuration it came from — its share link's query and its step — in the file's metadata and name, for the
//! page's download buttons and `lastlayer reproduce --format svg` alike.

use super::legend::{self, Entry, Swatch};
use super::svg::{Measure, SvgFigure};
use super::{draw_charts, draw_gallery, draw_plane, DrawResult, Style, Upsampler};
use crate::page::PageState;
use crate::scene::{self, Marker};
use crate::snapshot::{FeatureProjection, InputProjection, Measurement};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A view that leaves as a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The input space.
    Input,
    /// The feature space.
    Feature,
    /// The convergence charts.
    Charts,
    /// The theory beside the measurement.
    Theory,
    /// The experiments (forgetting, adversarial examples).
    Experiment,
    /// The gallery of image data.
    Gallery,
    /// The snapshot strip: the feature space (and the input space) at log-spaced steps, as small multiples.
    Strip,
}

impl Figure {
    /// Every figure, in the order of the page.
    pub const ALL: [Figure; 7] = [
        Figure::Input,
        Figure::Feature,
        Figure::Charts,
        Figure::Theory,
        Figure::Experiment,
        Figure::Gallery,
        Figure::Strip,
    ];

    /// Its name in file names and on the page ("input", "feature", "charts", "theory", "experiment",
    /// "gallery", "strip").
    pub fn name(self) -> &'static str {
        match self {
            Figure::Input => "input",
            Figure::Feature => "feature",
            Figure::Charts => "charts",
            Figure::Theory => "theory",
            Figure::Experiment => "experiment",
            Figure::Gallery => "gallery",
            Figure::Strip => "strip",
        }
    }

    /// The figure called `name`.
    pub fn from_name(name: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its size in SVG user units.
    pub fn size(self) -> (u32, u32) {
        match self {
            Figure::Input | Figure::Feature => (620, 660),
            Figure::Charts => (760, 980),
            Figure::Theory | Figure::Experiment => (1000, 840),
            Figure::Gallery => (900, 360),
            Figure::Strip => (1280, 560),
        }
    }
}

/// How the plane views are seen (as on the page).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Seen {
    /// The input view's projection for inputs wider than 2.
    pub input: InputProjection,
    /// The feature view's projection for features wider than 2.
    pub feature: FeatureProjection,
    /// Whether the test points are drawn.
    pub test: bool,
}

/// The figure's file name: what it shows, the preset (or "custom") and the step, e.g.
/// `lastlayer-feature-digits_012-step20000.svg`.
pub fn file_name(state: &PageState, figure: Figure, extension: &str) -> String {
    let what = state.preset().unwrap_or("custom");
    format!("lastlayer-{}-{what}-step{}.{extension}", figure.name(), state.step)
}

/// The figure as an SVG document, or `None` when the view has nothing to show yet. `cells` is the heatmap's
/// resolution (cells a side) for the plane views; `measure` measures text (see [`Measure`]).
pub fn svg(
    state: &PageState,
    figure: Figure,
    seen: Seen,
    cells: usize,
    measure: Option<&Measure<'_>>,
) -> Option<String> {
    let style = Style::light(1.0);
    let mut out = String::new();
    let size = figure.size();
    let images = {
        let (backend, images) = SvgFigure::new(&mut out, size, measure);
        {
            let root = backend.into_drawing_area();
            let drawn = match figure {
                Figure::Input => {
                    let view = scene::input::build(state, seen.input, cells, seen.test, None)?;
                    draw_plane(&root, &view, &style, &mut Upsampler).map(|_| ())
                }
                Figure::Feature => {
                    let view = scene::feature::build(state, seen.feature, cells, seen.test)?;
                    draw_plane(&root, &view, &style, &mut Upsampler).map(|_| ())
                }
                Figure::Charts => draw_charts(&root, &scene::charts::build(&state.history_with_latest()), &style),
                Figure::Theory => {
                    let history = state.history_with_latest();
                    draw_charts(&root, &scene::theory::build(&history, &crate::theory::summary(&history)), &style)
                }
                Figure::Experiment => draw_charts(&root, &scene::experiment::build(state)?, &style),
                Figure::Gallery => draw_gallery(&root, &scene::gallery::build(state)?, &style),
                Figure::Strip => draw_strip(&root, state, seen, cells.min(48), &style),
            };
            drawn.ok()?;
            root.present().ok()?;
        }
        images
    };
    let query = state.config.as_ref().map(crate::link::share_query).unwrap_or_default();
    let link: String = query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let metadata = serde_json::json!({
        "generator": "Last Layer Lab",
        "figure": figure.name(),
        "step": state.step,
        "link_query": link,
        "config": state.config,
    });
    let title = format!(
        "Last Layer Lab — {} — {} — step {}",
        figure.name(),
        state.preset().unwrap_or("custom run"),
        state.step
    );
    let images = images.borrow();
    Some(SvgFigure::finish(&out, &images, &title, &metadata.to_string()))
}

/// The strip's frames: the kept measurements at log-spaced steps (at most `most`, evenly spread, the newest
/// kept) and the newest measurement when it is newer.
pub fn strip_frames(state: &PageState, most: usize) -> Vec<&Measurement> {
    // Frames of the data shown (not a class-incremental run's first phase once its second has begun).
    let shown = |m: &&Measurement| state.data.as_ref().is_some_and(|d| m.matches(d));
    let mut all: Vec<&Measurement> = state.keyframes.iter().filter(shown).collect();
    if let Some(m) = state.measurement.as_ref().filter(shown) {
        if all.last().is_none_or(|k| k.metrics.step < m.metrics.step) {
            all.push(m);
        }
    }
    if all.len() <= most || most < 2 {
        return all;
    }
    (0..most).map(|i| all[i * (all.len() - 1) / (most - 1)]).collect()
}

/// Draws the snapshot strip: a row of the feature space at the frames' steps and, below, the input space at
/// the same steps, with one legend for all.
pub fn draw_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    state: &PageState,
    seen: Seen,
    cells: usize,
    style: &Style,
) -> DrawResult<DB> {
    area.fill(&style.background)?;
    let frames = strip_frames(state, 6);
    if frames.is_empty() {
        return Ok(());
    }
    let (width, height) = area.dim_in_pixel();
    let entries: Vec<Entry> = (0..state.classes())
        .map(|k| (Swatch::Marker(Marker::Point(k)), state.class_names().get(k).cloned().unwrap_or_default()))
        .chain([
            (Swatch::Marker(Marker::NetworkLine), "network / last layer".to_string()),
            (Swatch::Marker(Marker::SvmLine), "SVM".to_string()),
            (Swatch::Marker(Marker::Ring), "support vectors".to_string()),
        ])
        .collect();
    let legend_h = legend::height(area, &entries, style, width as i32 - style.px(20.0) as i32);
    let (grid, below) = area.split_vertically(height.saturating_sub(legend_h + style.px(6.0)));
    let cells_area = grid.split_evenly((2, frames.len()));
    for (i, frame) in frames.iter().enumerate() {
        let at = PageState { measurement: Some((*frame).clone()), ..state.clone() };
        let step = format!("step {}", crate::format::count(frame.metrics.step));
        let title = |space: &str| if i == 0 { format!("{space} — {step}") } else { step.clone() };
        if let Some(mut view) = scene::feature::build(&at, seen.feature, cells, false) {
            view.compact = true;
            view.title = title("features");
            draw_plane(&cells_area[i], &view, style, &mut Upsampler)?;
        }
        if let Some(mut view) = scene::input::build(&at, seen.input, cells, false, None) {
            view.compact = true;
            view.title = title("inputs");
            draw_plane(&cells_area[frames.len() + i], &view, style, &mut Upsampler)?;
        }
    }
    legend::draw(&below, &entries, style, style.px(20.0) as i32)
}
