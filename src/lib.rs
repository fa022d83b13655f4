//! # Last Layer Lab
//!
//! Watch a neural network's last layer turn into a support vector machine: the core of the page and of the
//! `lastlayer` command line. It reproduces Li, Ding & Gao, "On the Decision Boundary of Deep Neural Networks"
//! (arXiv 1808.05385), with the rigorous form of Soudry et al. (JMLR 2018) as the yardstick.
//!
//! Dependencies point one way, each layer using only those above it in this list (checked by
//! `tests/architecture.rs`):
//!
//! 1. leaves: [`rng`], [`linalg`], [`format`], [`geometry`], [`contour`], [`range`];
//! 2. data: [`data`] (sources and their settings, data sets and splits, generators, tables, point editing),
//!    then [`csv_io`] (CSV of any width, the bundled digits);
//! 3. models: [`nn`] (the network, losses, optimisers) and [`svm`] (the solvers and the linear classifier);
//! 4. the comparison: [`compare`] (angles, margins, agreement), [`probe`] (both models on a grid) and
//!    [`attack`] (the smallest input change that changes a decision);
//! 5. what a run is: [`config`], [`presets`], [`lesson`];
//! 6. what crosses between the engine and the page: [`snapshot`] (the measured numbers and views, sent as
//!    bytes), [`request`] (every request, reply and event, named once) and [`theory`] (what the theory
//!    predicts, measured, and whether a run is in its regime);
//! 7. two sides that never use each other — the engine: [`session`] (training), [`measure`] (a step's
//!    measurement), [`forgetting`] (a class-incremental run's arms), [`engine`] (the cost-budgeted
//!    schedule), [`export`], [`driver`] (every request handled, the work paced); the page: [`link`] (URLs), [`page`] (the snapshots applied, the readout, the banners),
//!    [`scene`] (plain-data views), [`render`] (drawing, generic over plotters' backends);
//! 8. the boundaries: `web` (the only module that names wasm-bindgen, web-sys or plotters-canvas, built for
//!    `wasm32` only) and the command line (`src/main.rs`, `src/cli/`).

pub mod attack;
pub mod check;
pub mod compare;
pub mod config;
pub mod contour;
pub mod csv_io;
pub mod data;
pub mod driver;
pub mod engine;
pub mod export;
pub mod forgetting;
pub mod format;
pub mod geometry;
pub mod lesson;
pub mod linalg;
pub mod link;
pub mod measure;
pub mod netfile;
pub mod nn;
pub mod order;
pub mod page;
pub mod presets;
pub mod probe;
pub mod range;
pub mod render;
pub mod request;
pub mod rng;
pub mod scene;
pub mod session;
pub mod snapshot;
pub mod svm;
pub mod theory;

#[cfg(target_arch = "wasm32")]
pub mod web;
