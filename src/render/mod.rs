//! Drawing: every view of the page and every figure of `lastlayer reproduce`, generic over plotters'
//! [`DrawingBackend`] and fed plain data (a [`crate::scene`] value), never a model.
//!
//! The canvas backend in the page and the bitmap backend on the command line run the same code:
//! [`theme`] (colours and sizes), [`raster`] (heatmaps as pixels), [`legend`] (legends in strips of their
//! own), [`plane`] (the input and feature views), [`charts`] (the convergence charts) and [`gallery`]
//! (images of support vectors and hard examples); [`stamps`] lays the page's point markers over each other in
//! memory, so that a view of thousands of points is one canvas call.

pub mod charts;
pub mod figures;
pub mod gallery;
pub mod legend;
pub mod plane;
pub mod raster;
pub mod stamps;
pub mod svg;
pub mod theme;

pub use charts::draw_charts;
pub use gallery::draw_gallery;
pub use plane::{draw_plane, PlotFrame};
pub use raster::{Hatch, HeatmapPainter, Upsampler};
pub use svg::SvgFigure;
pub use theme::Style;

/// Result of drawing on backend `DB`.
pub type DrawResult<DB> =
    Result<(), plotters::prelude::DrawingAreaErrorKind<<DB as plotters::prelude::DrawingBackend>::ErrorType>>;
