//! # Last Layer Lab
//!
//! Watch a neural network's last layer turn into a support vector machine: the core of the page and of the
//! `lastlayer` command line. It reproduces Li, Ding & Gao, "On the Decision Boundary of Deep Neural Networks"
//! (arXiv 1808.05385), with the rigorous form of Soudry et al. (JMLR 2018) as the yardstick.
//!
//! Dependencies point one way: leaves ([`rng`], [`data`], [`csv_io`]) ← models ([`svm`]) ← scene and
//! rendering ([`scene`], [`render`]) ← the wasm boundary (`web`, only on `wasm32`) and the command line
//! (`src/main.rs`).

pub mod compare;
pub mod config;
pub mod contour;
pub mod csv_io;
pub mod data;
pub mod export;
pub mod linalg;
pub mod nn;
pub mod presets;
pub mod render;
pub mod rng;
pub mod scene;
pub mod session;
pub mod svm;

#[cfg(target_arch = "wasm32")]
pub mod web;
