//! A layer is a unit: it knows its input and output shapes, its parameters, its cost, its forward pass and its
//! backward pass (the gradient of its parameters and the gradient to its input). The network only sequences
//! layers ([`super::Network`]); nothing outside `nn/` reads a layer's weights.
//!
//! Every layer maps a batch of rows to a batch of rows: a row is one example, an image stored channels ×
//! height × width (the order `torch.flatten` uses), so flattening an image for a dense layer moves nothing —
//! a dense layer after a convolution or a pooling reads the C·H·W numbers of each row as its inputs.
//!
//! - **Dense**: z = a·W + b, W is inputs × outputs (the lab's own layout since its first run.json).
//! - **Convolution** (cross-correlation, as `torch.nn.Conv2d`): zₒ[y, x] = bₒ + Σ_{c, i, j} Wₒ,c,i,j ·
//!   a_c[s·y + i − pₜ, s·x + j − pₗ], W is out channels × in channels × k × k, stride s ∈ {1, 2}, padding
//!   "valid" (none: output ⌊(H − k)/s⌋ + 1) or "same" (output ⌈H/s⌉, zeros around the input, pₜ = ⌊P/2⌋ of the
//!   total P = max((out − 1)·s + k − H, 0), the rest after — PyTorch's and TensorFlow's convention).
//! - **Pooling**: 2 × 2 windows with stride 2 (a last odd row or column is dropped, as PyTorch's default),
//!   the maximum (its gradient goes to the first largest entry of the window, row by row) or the average.
//!
//! The hidden activation follows every convolution and every hidden dense layer, never a pooling (the
//! network decides, [`super::Network`]). Each row is computed from its own input alone and every sum runs in
//! a fixed order, so a batch taken in blocks of rows gives the same bits as the whole batch, natively and in
//! WebAssembly.

use super::kernels;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The shape of one example as a layer sees it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A vector of this many numbers.
    Flat(usize),
    /// An image: channels × height × width, stored in that order.
    Image {
        /// Channels.
        channels: usize,
        /// Rows.
        height: usize,
        /// Columns.
        width: usize,
    },
}

impl Shape {
    /// The shape of rows `width` numbers wide that declare the image shape `image` (channels, height,
    /// width), or are flat (`None`).
    pub fn of_rows(image: Option<[usize; 3]>, width: usize) -> Shape {
        match image {
            Some([channels, height, width]) => Shape::Image { channels, height, width },
            None => Shape::Flat(width),
        }
    }

    /// How many numbers one example has.
    pub fn len(self) -> usize {
        match self {
            Shape::Flat(n) => n,
            Shape::Image { channels, height, width } => channels * height * width,
        }
    }

    /// Whether it holds no numbers.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Its sizes as files write them: `[n]`, or `[channels, height, width]`.
    pub fn dims(self) -> Vec<usize> {
        match self {
            Shape::Flat(n) => vec![n],
            Shape::Image { channels, height, width } => vec![channels, height, width],
        }
    }

    /// As the page writes it: "8 × 8 × 1" (height × width × channels) or "64".
    pub fn describe(self) -> String {
        match self {
            Shape::Flat(n) => n.to_string(),
            Shape::Image { channels, height, width } => format!("{height} × {width} × {channels}"),
        }
    }
}

/// A convolution's padding.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Padding {
    /// Zeros around the input so that the output has ⌈H/s⌉ rows (the size itself at stride 1).
    #[default]
    Same,
    /// No padding: only windows inside the input.
    Valid,
}

impl Padding {
    /// Its name in configs and files.
    pub fn name(self) -> &'static str {
        match self {
            Padding::Same => "same",
            Padding::Valid => "valid",
        }
    }
}

/// A pooling's rule.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    /// The largest entry of each window.
    #[default]
    Max,
    /// The mean of each window.
    Avg,
}

impl PoolMode {
    /// Its name in configs and files.
    pub fn name(self) -> &'static str {
        match self {
            PoolMode::Max => "max",
            PoolMode::Avg => "avg",
        }
    }
}

/// A convolution as a config names it (no parameters yet).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ConvSpec {
    /// Output channels.
    pub channels: usize,
    /// Kernel side k (k × k windows).
    pub kernel: usize,
    /// Stride (1 or 2).
    pub stride: usize,
    /// Padding.
    pub padding: Padding,
}

impl Default for ConvSpec {
    fn default() -> Self {
        ConvSpec { channels: 8, kernel: 3, stride: 1, padding: Padding::Same }
    }
}

/// A hidden layer as a config names it: a dense layer's width, a convolution, or a 2 × 2 pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerSpec {
    /// A fully connected layer of this width.
    Dense(usize),
    /// A 2-D convolution.
    Conv(ConvSpec),
    /// A 2 × 2 pooling with stride 2.
    Pool(PoolMode),
}

impl LayerSpec {
    /// The layer's kind as run.json names it: `dense`, `conv` or `pool`.
    pub fn kind(self) -> &'static str {
        match self {
            LayerSpec::Dense(_) => "dense",
            LayerSpec::Conv(_) => "conv",
            LayerSpec::Pool(_) => "pool",
        }
    }
}

/// How a config writes a layer where no human reads it (the page's binary snapshots).
#[derive(Serialize, Deserialize)]
enum LayerSpecRepr {
    Dense(usize),
    Conv(ConvSpec),
    Pool(PoolMode),
}

/// In JSON a dense layer is its width alone (`16`, as configs always wrote it) and the others one-key objects:
/// `{"conv": {"channels": 8, "kernel": 3, "stride": 1, "padding": "same"}}`, `{"pool": "max"}`;
/// `{"dense": 16}` is read too.
impl Serialize for LayerSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if !serializer.is_human_readable() {
            let repr = match *self {
                LayerSpec::Dense(w) => LayerSpecRepr::Dense(w),
                LayerSpec::Conv(c) => LayerSpecRepr::Conv(c),
                LayerSpec::Pool(m) => LayerSpecRepr::Pool(m),
            };
            return repr.serialize(serializer);
        }
        match self {
            LayerSpec::Dense(w) => serializer.serialize_u64(*w as u64),
            LayerSpec::Conv(c) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("conv", c)?;
                map.end()
            }
            LayerSpec::Pool(m) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("pool", m)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for LayerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Ok(match LayerSpecRepr::deserialize(deserializer)? {
                LayerSpecRepr::Dense(w) => LayerSpec::Dense(w),
                LayerSpecRepr::Conv(c) => LayerSpec::Conv(c),
                LayerSpecRepr::Pool(m) => LayerSpec::Pool(m),
            });
        }
        deserializer.deserialize_any(LayerSpecVisitor)
    }
}

struct LayerSpecVisitor;

const LAYER_KINDS: &[&str] = &["dense", "conv", "pool"];

impl<'de> serde::de::Visitor<'de> for LayerSpecVisitor {
    type Value = LayerSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a layer: a dense layer's width (16), {"conv": {"channels": 8, "kernel": 3}} or {"pool": "max"}"#)
    }

    fn visit_u64<E: serde::de::Error>(self, width: u64) -> Result<LayerSpec, E> {
        usize::try_from(width).map(LayerSpec::Dense).map_err(|_| E::custom(format!("a width of {width} units")))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<LayerSpec, A::Error> {
        use serde::de::Error;
        let Some(kind) = map.next_key::<String>()? else {
            return Err(A::Error::custom(r#"an empty layer {}: name its kind, "dense", "conv" or "pool""#));
        };
        let spec = match kind.as_str() {
            "dense" => LayerSpec::Dense(map.next_value()?),
            "conv" => LayerSpec::Conv(map.next_value()?),
            "pool" => LayerSpec::Pool(map.next_value()?),
            other => return Err(A::Error::unknown_variant(other, LAYER_KINDS)),
        };
        if let Some(more) = map.next_key::<String>()? {
            return Err(A::Error::custom(format!(
                "a layer is one kind: `{kind}` and `{more}` given together; write each layer as its own entry"
            )));
        }
        Ok(spec)
    }
}

/// The largest convolution kernel side.
pub const MAX_KERNEL: usize = 7;
/// The most channels a convolution may have.
pub const MAX_CHANNELS: usize = 64;

/// Why a stack of layers cannot be built on its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// The hidden layer at fault (1-based).
    pub layer: usize,
    /// Its kind (`dense`, `conv`, `pool`).
    pub kind: &'static str,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hidden layer {} ({}): {}", self.layer, self.kind, self.reason)
    }
}

impl std::error::Error for ShapeError {}

/// The output shape of `spec` on `input`, or why it cannot take that input (`layer` is 1-based, for the
/// message).
pub fn output_shape(spec: LayerSpec, input: Shape, layer: usize) -> Result<Shape, ShapeError> {
    check(spec, layer)?;
    let fail = |reason: String| ShapeError { layer, kind: spec.kind(), reason };
    match spec {
        LayerSpec::Dense(width) => Ok(Shape::Flat(width)),
        LayerSpec::Conv(c) => {
            let Shape::Image { height, width, .. } = input else {
                return Err(fail(format!(
                    "a convolution needs an image, and its input is flat ({} numbers): put convolutions before \
                     any dense layer, on data with an image shape",
                    input.len()
                )));
            };
            if c.kernel > height || c.kernel > width {
                return Err(fail(format!(
                    "its {k} × {k} kernel is larger than its {height} × {width} input",
                    k = c.kernel
                )));
            }
            let (h, w) = (conv_out(height, c), conv_out(width, c));
            Ok(Shape::Image { channels: c.channels, height: h, width: w })
        }
        LayerSpec::Pool(_) => {
            let Shape::Image { channels, height, width } = input else {
                return Err(fail(format!(
                    "pooling needs an image, and its input is flat ({} numbers): pool before any dense layer",
                    input.len()
                )));
            };
            if height < 2 || width < 2 {
                return Err(fail(format!("cannot pool a {height} × {width} map: 2 × 2 windows need at least 2 × 2")));
            }
            Ok(Shape::Image { channels, height: height / 2, width: width / 2 })
        }
    }
}

/// The checks of `spec` that do not depend on its input: a dense layer has units; a convolution has 1 to
/// [`MAX_CHANNELS`] channels, a kernel 1 to [`MAX_KERNEL`] wide and stride 1 or 2 (`layer` is 1-based).
pub fn check(spec: LayerSpec, layer: usize) -> Result<(), ShapeError> {
    let fail = |reason: String| Err(ShapeError { layer, kind: spec.kind(), reason });
    match spec {
        LayerSpec::Dense(0) => fail("a dense layer needs at least one unit".into()),
        LayerSpec::Conv(c) if c.channels == 0 || c.channels > MAX_CHANNELS => {
            fail(format!("{} channels: a convolution has 1 to {MAX_CHANNELS}", c.channels))
        }
        LayerSpec::Conv(c) if c.kernel == 0 || c.kernel > MAX_KERNEL => {
            fail(format!("a {k} × {k} kernel: kernels are 1 to {MAX_KERNEL} wide", k = c.kernel))
        }
        LayerSpec::Conv(c) if c.stride != 1 && c.stride != 2 => {
            fail(format!("stride {}: the stride is 1 or 2", c.stride))
        }
        _ => Ok(()),
    }
}

/// Output size of a convolution along a side of `n`.
fn conv_out(n: usize, c: ConvSpec) -> usize {
    match c.padding {
        Padding::Valid => (n - c.kernel) / c.stride + 1,
        Padding::Same => n.div_ceil(c.stride),
    }
}

/// Zeros before the input along a side of `n` (the rest of the padding comes after).
fn pad_before(n: usize, c: ConvSpec) -> usize {
    match c.padding {
        Padding::Valid => 0,
        Padding::Same => ((conv_out(n, c) - 1) * c.stride + c.kernel).saturating_sub(n) / 2,
    }
}

/// A fully connected layer: z = a·W + b.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Dense {
    /// W (inputs × outputs).
    weights: Array2<f64>,
    /// b (outputs).
    biases: Array1<f64>,
}

/// A 2-D convolution (see the module docs).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Conv {
    /// W as out channels × (in channels · k · k), PyTorch's order.
    weights: Array2<f64>,
    /// One bias per output channel.
    biases: Array1<f64>,
    /// Its settings.
    spec: ConvSpec,
    /// Input channels, height and width.
    input: [usize; 3],
    /// Output height and width.
    output: [usize; 2],
    /// Zeros before the input, top and left.
    pad: [usize; 2],
}

/// A 2 × 2 pooling with stride 2.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Pool {
    /// Its rule.
    mode: PoolMode,
    /// Input channels, height and width.
    input: [usize; 3],
}

/// One layer of a network.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Layer {
    /// Fully connected.
    Dense(Dense),
    /// 2-D convolution.
    Conv(Conv),
    /// 2 × 2 pooling.
    Pool(Pool),
}

/// A layer's parameter tensors: its weights, then its biases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tensor {
    /// The weights (decayed by weight decay).
    Weights,
    /// The biases (never decayed).
    Biases,
}

/// What the layers' passes need of the weights in another order (narrow dense layers use theirs
/// transposed: [`kernels::prepare`]; a convolution its weights transposed and where each entry of its patches
/// comes from), computed once per pass.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    per_layer: Vec<PreparedLayer>,
}

/// One layer's part of [`Prepared`].
#[derive(Clone, Debug, Default)]
pub struct PreparedLayer {
    /// The weights in the order the passes read them (empty when they read them as stored).
    weights: Vec<f64>,
    /// A convolution's patch matrix (positions × taps): the input index each entry copies, or [`OUTSIDE`] for
    /// a padding zero.
    gather: Vec<u32>,
    /// The same entries as columns (taps × positions).
    gather_columns: Vec<u32>,
}

/// A patch entry that falls on the padding.
const OUTSIDE: u32 = u32::MAX;

impl Prepared {
    /// The prepared weights of `layers`.
    pub fn of(layers: &[Layer]) -> Prepared {
        let mut p = Prepared::default();
        p.update(layers);
        p
    }

    /// Prepares `layers` into the buffers already held.
    pub fn update(&mut self, layers: &[Layer]) {
        self.per_layer.resize_with(layers.len(), PreparedLayer::default);
        for (layer, t) in layers.iter().zip(&mut self.per_layer) {
            layer.prepare(t);
        }
    }

    /// Layer `l`'s.
    pub fn layer(&self, l: usize) -> &PreparedLayer {
        &self.per_layer[l]
    }
}

impl Dense {
    /// A dense layer from its weights (inputs × outputs) and biases.
    pub fn new(weights: Array2<f64>, biases: Array1<f64>) -> Dense {
        assert_eq!(weights.ncols(), biases.len(), "one bias per output");
        Dense { weights, biases }
    }

    /// W (inputs × outputs).
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }

    /// b.
    pub fn biases(&self) -> &Array1<f64> {
        &self.biases
    }

    pub(super) fn weights_mut(&mut self) -> &mut Array2<f64> {
        &mut self.weights
    }

    pub(super) fn biases_mut(&mut self) -> &mut Array1<f64> {
        &mut self.biases
    }
}

impl Conv {
    /// A convolution of `input` (channels, height, width) with `weights` (out × (in · k · k)) and biases.
    pub fn new(spec: ConvSpec, input: [usize; 3], weights: Array2<f64>, biases: Array1<f64>) -> Conv {
        let [c, h, w] = input;
        assert_eq!(weights.dim(), (spec.channels, c * spec.kernel * spec.kernel), "weights out × (in · k · k)");
        assert_eq!(biases.len(), spec.channels, "one bias per output channel");
        let output = [conv_out(h, spec), conv_out(w, spec)];
        Conv { weights, biases, spec, input, output, pad: [pad_before(h, spec), pad_before(w, spec)] }
    }

    /// Its settings.
    pub fn spec(&self) -> ConvSpec {
        self.spec
    }

    /// Zeros before the input, top and left.
    pub fn pad(&self) -> [usize; 2] {
        self.pad
    }

    /// The k × k kernel (row-major) that output channel `o` applies to input channel `c`.
    pub fn kernel(&self, o: usize, c: usize) -> &[f64] {
        let area = self.spec.kernel * self.spec.kernel;
        &self.weights.row(o).to_slice().expect("rows of owned weights are contiguous")[c * area..(c + 1) * area]
    }

    /// Input channels.
    pub fn input_channels(&self) -> usize {
        self.input[0]
    }

    /// Entries of one patch: in channels · k · k.
    fn taps(&self) -> usize {
        self.input[0] * self.spec.kernel * self.spec.kernel
    }

    /// Output positions: height · width.
    fn positions(&self) -> usize {
        self.output[0] * self.output[1]
    }

    /// Where each entry of one example's patch matrix (positions × taps, row-major) comes from: row y·W′ + x
    /// holds the window of output (y, x), entry c·k·k + i·k + j being a_c[s·y + i − pₜ, s·x + j − pₗ], or
    /// [`OUTSIDE`] on the padding.
    fn gather_map(&self, map: &mut Vec<u32>) {
        let [channels, h, w] = self.input;
        let (k, s) = (self.spec.kernel, self.spec.stride);
        let [oh, ow] = self.output;
        map.clear();
        for y in 0..oh {
            for x in 0..ow {
                for c in 0..channels {
                    for i in 0..k {
                        for j in 0..k {
                            let iy = (s * y + i).wrapping_sub(self.pad[0]);
                            let ix = (s * x + j).wrapping_sub(self.pad[1]);
                            map.push(if iy < h && ix < w { ((c * h + iy) * w + ix) as u32 } else { OUTSIDE });
                        }
                    }
                }
            }
        }
    }
}

/// One example's patch matrix: each entry the input number the map names, zero on the padding.
fn patches_of(a: &[f64], map: &[u32], out: &mut [f64]) {
    for (v, &i) in out.iter_mut().zip(map) {
        *v = a.get(i as usize).copied().unwrap_or(0.0);
    }
}

/// Adds a patch matrix's gradient back onto the input's (the transpose of [`patches_of`]), entry by entry in
/// order.
fn add_patches(patches: &[f64], map: &[u32], g: &mut [f64]) {
    for (&v, &i) in patches.iter().zip(map) {
        if let Some(gi) = g.get_mut(i as usize) {
            *gi += v;
        }
    }
}

impl Pool {
    /// A 2 × 2 pooling of `input` (channels, height, width).
    pub fn new(mode: PoolMode, input: [usize; 3]) -> Pool {
        Pool { mode, input }
    }

    /// Its rule.
    pub fn mode(&self) -> PoolMode {
        self.mode
    }

    /// For every output entry of one example, the input indices of its window, row by row.
    fn windows(&self) -> impl Iterator<Item = [usize; 4]> + '_ {
        let [channels, h, w] = self.input;
        let (oh, ow) = (h / 2, w / 2);
        (0..channels).flat_map(move |c| {
            (0..oh).flat_map(move |y| {
                (0..ow).map(move |x| {
                    let top = (c * h + 2 * y) * w + 2 * x;
                    [top, top + 1, top + w, top + w + 1]
                })
            })
        })
    }
}

/// acc[j] += Σ_q a[q] · m[q·n + j] for j < n (m is a.len() × n, row-major): every entry summed from its
/// starting value over q in order — as a run of axpys would sum it — but eight entries at a time held in
/// registers, which is what makes the short products of a small convolution fast.
fn accumulate(a: &[f64], m: &[f64], n: usize, acc: &mut [f64]) {
    let mut j = 0;
    j = lanes::<8>(a, m, n, acc, j);
    j = lanes::<4>(a, m, n, acc, j);
    j = lanes::<2>(a, m, n, acc, j);
    lanes::<1>(a, m, n, acc, j);
}

/// [`accumulate`] over entries `j..` in blocks of `L`; returns where it stopped (fewer than `L` left).
#[inline(always)]
fn lanes<const L: usize>(a: &[f64], m: &[f64], n: usize, acc: &mut [f64], mut j: usize) -> usize {
    while j + L <= n {
        let mut r = [0.0f64; L];
        r.copy_from_slice(&acc[j..j + L]);
        for (&aq, row) in a.iter().zip(m.chunks_exact(n)) {
            let row: &[f64; L] = row[j..j + L].try_into().expect("L entries");
            for l in 0..L {
                r[l] += aq * row[l];
            }
        }
        acc[j..j + L].copy_from_slice(&r);
        j += L;
    }
    j
}

/// The first largest of a window's four entries (its position among them).
fn largest(v: [f64; 4]) -> usize {
    let mut best = 0;
    for i in 1..4 {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

impl Layer {
    /// A layer built from `spec` on `input` with parameters drawn by `draw(fan_in, fan_out)` in row-major order
    /// (weights, then `bias` for every bias). `layer` (1-based) names it in errors.
    pub fn build(
        spec: LayerSpec,
        input: Shape,
        layer: usize,
        draw: &mut dyn FnMut(usize, usize) -> f64,
        bias: f64,
    ) -> Result<Layer, ShapeError> {
        let out = output_shape(spec, input, layer)?;
        Ok(match (spec, input) {
            (LayerSpec::Dense(width), _) => {
                let fan_in = input.len();
                let weights = Array2::from_shape_simple_fn((fan_in, width), || draw(fan_in, width));
                Layer::Dense(Dense::new(weights, Array1::from_elem(width, bias)))
            }
            (LayerSpec::Conv(c), Shape::Image { channels, height, width }) => {
                let area = c.kernel * c.kernel;
                let (fan_in, fan_out) = (channels * area, c.channels * area);
                let weights = Array2::from_shape_simple_fn((c.channels, fan_in), || draw(fan_in, fan_out));
                Layer::Conv(Conv::new(c, [channels, height, width], weights, Array1::from_elem(c.channels, bias)))
            }
            (LayerSpec::Pool(mode), Shape::Image { channels, height, width }) => {
                Layer::Pool(Pool::new(mode, [channels, height, width]))
            }
            _ => unreachable!("output_shape refused {spec:?} on {input:?}; got {out:?}"),
        })
    }

    /// The layer as a config names it.
    pub fn spec(&self) -> LayerSpec {
        match self {
            Layer::Dense(d) => LayerSpec::Dense(d.weights.ncols()),
            Layer::Conv(c) => LayerSpec::Conv(c.spec),
            Layer::Pool(p) => LayerSpec::Pool(p.mode),
        }
    }

    /// Numbers in one example's input.
    pub fn input_len(&self) -> usize {
        match self {
            Layer::Dense(d) => d.weights.nrows(),
            Layer::Conv(c) => c.input.iter().product(),
            Layer::Pool(p) => p.input.iter().product(),
        }
    }

    /// The shape of one example's output.
    pub fn output_shape(&self) -> Shape {
        match self {
            Layer::Dense(d) => Shape::Flat(d.weights.ncols()),
            Layer::Conv(c) => Shape::Image { channels: c.spec.channels, height: c.output[0], width: c.output[1] },
            Layer::Pool(p) => Shape::Image { channels: p.input[0], height: p.input[1] / 2, width: p.input[2] / 2 },
        }
    }

    /// Numbers in one example's output.
    pub fn output_len(&self) -> usize {
        self.output_shape().len()
    }

    /// Whether the layer has parameters.
    pub fn has_parameters(&self) -> bool {
        !matches!(self, Layer::Pool(_))
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.tensor(Tensor::Weights).len() + self.tensor(Tensor::Biases).len()
    }

    /// Multiply-adds of the forward pass of one example (a pooling counts one per input entry it reads).
    pub fn cost(&self) -> usize {
        match self {
            Layer::Dense(d) => d.weights.len(),
            Layer::Conv(c) => c.weights.len() * c.positions(),
            Layer::Pool(p) => p.input.iter().product(),
        }
    }

    /// One of its parameter tensors, flat (empty for a pooling).
    pub fn tensor(&self, t: Tensor) -> &[f64] {
        let (w, b) = match self {
            Layer::Dense(d) => (&d.weights, &d.biases),
            Layer::Conv(c) => (&c.weights, &c.biases),
            Layer::Pool(_) => return &[],
        };
        match t {
            Tensor::Weights => w.as_slice().expect("owned weights are contiguous"),
            Tensor::Biases => b.as_slice().expect("owned biases are contiguous"),
        }
    }

    /// One of its parameter tensors, flat and writable (empty for a pooling).
    pub fn tensor_mut(&mut self, t: Tensor) -> &mut [f64] {
        let (w, b) = match self {
            Layer::Dense(d) => (&mut d.weights, &mut d.biases),
            Layer::Conv(c) => (&mut c.weights, &mut c.biases),
            Layer::Pool(_) => return &mut [],
        };
        match t {
            Tensor::Weights => w.as_slice_mut().expect("owned weights are contiguous"),
            Tensor::Biases => b.as_slice_mut().expect("owned biases are contiguous"),
        }
    }

    /// Writes into `t` what the passes need of the weights in another order.
    fn prepare(&self, t: &mut PreparedLayer) {
        match self {
            Layer::Dense(d) => {
                let (k, n) = d.weights.dim();
                kernels::prepare(d.weights.as_slice().expect("contiguous"), k, n, &mut t.weights);
                t.gather.clear();
                t.gather_columns.clear();
            }
            // Wᵀ (taps × out channels), so that a patch times it gives every channel's output at once.
            Layer::Conv(c) => {
                let (o, taps) = c.weights.dim();
                kernels::transpose_into(c.weights.as_slice().expect("contiguous"), o, taps, &mut t.weights);
                if t.gather.len() != taps * c.positions() {
                    c.gather_map(&mut t.gather);
                    let p = c.positions();
                    t.gather_columns = (0..taps * p).map(|e| t.gather[(e % p) * taps + e / p]).collect();
                }
            }
            Layer::Pool(_) => {
                t.weights.clear();
                t.gather.clear();
                t.gather_columns.clear();
            }
        }
    }

    /// Scratch numbers one example needs in the passes (a convolution's patch matrix).
    pub fn scratch_len(&self) -> usize {
        match self {
            // The patches and one number per position (≥ one per channel: there are fewer channels than taps).
            Layer::Conv(c) => (c.taps() + 1) * c.positions().max(c.spec.channels),
            _ => 0,
        }
    }

    /// The forward pass of `rows` examples: `input` (rows × input_len) to `out` (rows × output_len).
    /// `prepared` is this layer's part of [`Prepared`]; `scratch` holds at least [`Layer::scratch_len`].
    pub fn forward(&self, prepared: &PreparedLayer, input: &[f64], out: &mut [f64], rows: usize, scratch: &mut [f64]) {
        let (k, n) = (self.input_len(), self.output_len());
        match self {
            Layer::Dense(d) => {
                let w = d.weights.as_slice().expect("contiguous");
                let b = d.biases.as_slice().expect("contiguous");
                kernels::affine_prepared(input, w, &prepared.weights, b, out, rows, k, n);
            }
            Layer::Conv(c) => {
                // zₒ[position] = bₒ + Σ_q Wₒ,q · column_q[position], summed over q in order: each channel's
                // whole map at once from the columns (taps × positions).
                let (taps, p) = (c.taps(), c.positions());
                let columns = &mut scratch[..taps * p];
                let w = c.weights.as_slice().expect("contiguous");
                for r in 0..rows {
                    patches_of(&input[r * k..(r + 1) * k], &prepared.gather_columns, columns);
                    for ((zo, &bo), wo) in
                        out[r * n..(r + 1) * n].chunks_exact_mut(p).zip(&c.biases).zip(w.chunks_exact(taps))
                    {
                        zo.fill(bo);
                        accumulate(wo, columns, p, zo);
                    }
                }
            }
            Layer::Pool(pool) => {
                for r in 0..rows {
                    let a = &input[r * k..(r + 1) * k];
                    let z = &mut out[r * n..(r + 1) * n];
                    for (zi, win) in z.iter_mut().zip(pool.windows()) {
                        let v = win.map(|i| a[i]);
                        *zi = match pool.mode {
                            PoolMode::Max => v[largest(v)],
                            PoolMode::Avg => (((v[0] + v[1]) + v[2]) + v[3]) * 0.25,
                        };
                    }
                }
            }
        }
    }

    /// Starts the parameter gradient of a pass taken in blocks of rows: zeroes `g` (shaped like
    /// [`Layer::tensor`]s) and the accumulator `acc`.
    pub fn gradient_start(&self, g: &mut LayerGradient, acc: &mut Vec<f64>) {
        g.biases.fill(0.0);
        match self {
            Layer::Dense(d) => {
                let (k, n) = d.weights.dim();
                kernels::weight_gradient_start(&mut g.weights, k, n, acc);
            }
            _ => g.weights.fill(0.0),
        }
    }

    /// Adds `rows` examples to the parameter gradient: `input` are their inputs, `delta` the gradient of the
    /// loss with respect to their outputs (before any activation). Rows are summed in their order. Without
    /// `biased` the bias gradient stays zero (the biases are never trained).
    // The pass's operands, their size, and the reusable buffers.
    #[allow(clippy::too_many_arguments)]
    pub fn gradient_rows(
        &self,
        prepared: &PreparedLayer,
        input: &[f64],
        delta: &[f64],
        rows: usize,
        biased: bool,
        g: &mut LayerGradient,
        acc: &mut [f64],
        scratch: &mut [f64],
    ) {
        let (k, n) = (self.input_len(), self.output_len());
        match self {
            Layer::Dense(_) => {
                kernels::weight_gradient_rows(input, delta, &mut g.weights, rows, k, n, acc);
                if biased {
                    for row in delta.chunks_exact(n) {
                        for (gb, v) in g.biases.iter_mut().zip(row) {
                            *gb += v;
                        }
                    }
                }
            }
            Layer::Conv(c) => {
                // ∂L/∂Wₒ = Σ over rows and positions, in order, of δₒ[position] · patch[position].
                let (taps, p) = (c.taps(), c.positions());
                let patches = &mut scratch[..taps * p];
                for r in 0..rows {
                    patches_of(&input[r * k..(r + 1) * k], &prepared.gather, patches);
                    for (o, d) in delta[r * n..(r + 1) * n].chunks_exact(p).enumerate() {
                        accumulate(d, patches, taps, &mut g.weights[o * taps..(o + 1) * taps]);
                        if biased {
                            g.biases[o] += d.iter().sum::<f64>();
                        }
                    }
                }
            }
            Layer::Pool(_) => {}
        }
    }

    /// Ends a parameter gradient taken in blocks of rows.
    pub fn gradient_finish(&self, g: &mut LayerGradient, acc: &[f64]) {
        if let Layer::Dense(d) = self {
            let (k, n) = d.weights.dim();
            kernels::weight_gradient_finish(&mut g.weights, k, n, acc);
        }
    }

    /// The gradient with respect to the inputs of `rows` examples (`grad_in`, rows × input_len, overwritten)
    /// from the gradient with respect to their outputs (`delta`); `input` are the inputs (a pooling routes
    /// through its largest entries).
    pub fn input_gradient(
        &self,
        prepared: &PreparedLayer,
        input: &[f64],
        delta: &[f64],
        grad_in: &mut [f64],
        rows: usize,
        scratch: &mut [f64],
    ) {
        let (k, n) = (self.input_len(), self.output_len());
        match self {
            Layer::Dense(d) => {
                let w = d.weights.as_slice().expect("contiguous");
                kernels::back_project_prepared(delta, w, &prepared.weights, grad_in, rows, k, n);
            }
            Layer::Conv(c) => {
                // ∂L/∂patch[position] = Σₒ δₒ[position] · Wₒ, then every patch added back where it came from.
                let (taps, p) = (c.taps(), c.positions());
                let channels = c.spec.channels;
                let (patches, column) = scratch[..(taps + 1) * p].split_at_mut(taps * p);
                let column = &mut column[..channels];
                let w = c.weights.as_slice().expect("contiguous");
                for r in 0..rows {
                    let d = &delta[r * n..(r + 1) * n];
                    for (position, patch) in patches.chunks_exact_mut(taps).enumerate() {
                        for (o, v) in column.iter_mut().enumerate() {
                            *v = d[o * p + position];
                        }
                        patch.fill(0.0);
                        accumulate(column, w, taps, patch);
                    }
                    let g = &mut grad_in[r * k..(r + 1) * k];
                    g.fill(0.0);
                    add_patches(patches, &prepared.gather, g);
                }
            }
            Layer::Pool(pool) => {
                for r in 0..rows {
                    let a = &input[r * k..(r + 1) * k];
                    let g = &mut grad_in[r * k..(r + 1) * k];
                    g.fill(0.0);
                    for (&d, win) in delta[r * n..(r + 1) * n].iter().zip(pool.windows()) {
                        match pool.mode {
                            PoolMode::Max => g[win[largest(win.map(|i| a[i]))]] += d,
                            PoolMode::Avg => win.iter().for_each(|&i| g[i] += 0.25 * d),
                        }
                    }
                }
            }
        }
    }
}

impl Layer {
    /// The layer as run.json describes it, in the conventions PyTorch users know: `kind` (`dense`, `conv`,
    /// `pool`); a dense layer's `weights` as inputs × outputs and its `biases`; a convolution's `weights` as out
    /// channels × in channels × kh × kw (cross-correlation, as `torch.nn.Conv2d`), `biases`, `stride`,
    /// `padding` (`"same"` or `"valid"`) and `pad` (the zeros before the input, top and left); a pooling's
    /// `size` and `mode` (`"max"` or `"avg"`). Each with its output shape.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let rows = |a: &Array2<f64>| a.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
        let shape = self.output_shape().dims();
        match self {
            Layer::Dense(d) => json!({
                "kind": "dense",
                "weights": rows(&d.weights),
                "biases": d.biases.to_vec(),
                "output_shape": shape,
            }),
            Layer::Conv(c) => {
                let k = c.spec.kernel;
                let weights: Vec<Vec<Vec<Vec<f64>>>> = c
                    .weights
                    .rows()
                    .into_iter()
                    .map(|o| {
                        let o = o.to_vec();
                        o.chunks(k * k).map(|ch| ch.chunks(k).map(<[f64]>::to_vec).collect()).collect()
                    })
                    .collect();
                json!({
                    "kind": "conv",
                    "weights": weights,
                    "biases": c.biases.to_vec(),
                    "stride": c.spec.stride,
                    "padding": c.spec.padding.name(),
                    "pad": c.pad,
                    "output_shape": shape,
                })
            }
            Layer::Pool(p) => json!({ "kind": "pool", "size": 2, "mode": p.mode.name(), "output_shape": shape }),
        }
    }
}

/// The gradient of one layer's parameters, flat, shaped like its [`Layer::tensor`]s.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LayerGradient {
    /// ∂L/∂W.
    pub weights: Vec<f64>,
    /// ∂L/∂b.
    pub biases: Vec<f64>,
}

impl LayerGradient {
    /// Zeros shaped like `layer`'s parameters.
    pub fn zeros_like(layer: &Layer) -> LayerGradient {
        LayerGradient {
            weights: vec![0.0; layer.tensor(Tensor::Weights).len()],
            biases: vec![0.0; layer.tensor(Tensor::Biases).len()],
        }
    }

    /// One tensor.
    pub fn tensor(&self, t: Tensor) -> &[f64] {
        match t {
            Tensor::Weights => &self.weights,
            Tensor::Biases => &self.biases,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(spec: ConvSpec, input: [usize; 3]) -> Conv {
        let taps = input[0] * spec.kernel * spec.kernel;
        let w = Array2::from_shape_fn((spec.channels, taps), |(o, q)| ((o * 7 + q * 3) % 11) as f64 * 0.1 - 0.5);
        let b = Array1::from_shape_fn(spec.channels, |o| o as f64 * 0.25);
        Conv::new(spec, input, w, b)
    }

    /// The convolution against its definition written as nested sums over the padded input, for both
    /// paddings and strides, odd and even sizes.
    #[test]
    fn convolution_is_cross_correlation() {
        for (spec, input) in [
            (ConvSpec { channels: 3, kernel: 3, stride: 1, padding: Padding::Same }, [2, 5, 4]),
            (ConvSpec { channels: 2, kernel: 2, stride: 2, padding: Padding::Same }, [1, 5, 5]),
            (ConvSpec { channels: 2, kernel: 3, stride: 2, padding: Padding::Valid }, [3, 7, 6]),
            (ConvSpec { channels: 1, kernel: 4, stride: 1, padding: Padding::Same }, [1, 6, 6]),
        ] {
            let c = conv(spec, input);
            let [ch, h, w] = input;
            let x: Vec<f64> = (0..ch * h * w).map(|i| ((i * 13) % 17) as f64 * 0.2 - 1.0).collect();
            let layer = Layer::Conv(c.clone());
            let mut out = vec![0.0; layer.output_len()];
            let mut scratch = vec![0.0; layer.scratch_len()];
            let prepared = Prepared::of(std::slice::from_ref(&layer));
            layer.forward(prepared.layer(0), &x, &mut out, 1, &mut scratch);
            let [oh, ow] = c.output;
            let k = spec.kernel;
            // Its cost is the multiply-adds of the definition: one per weight and output position.
            assert_eq!(layer.cost(), spec.channels * oh * ow * ch * k * k, "{spec:?} {input:?}");
            for o in 0..spec.channels {
                for y in 0..oh {
                    for xo in 0..ow {
                        let mut want = c.biases[o];
                        for ci in 0..ch {
                            for i in 0..k {
                                for j in 0..k {
                                    let iy = (spec.stride * y + i) as isize - c.pad[0] as isize;
                                    let ix = (spec.stride * xo + j) as isize - c.pad[1] as isize;
                                    if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                        want += c.weights[[o, (ci * k + i) * k + j]]
                                            * x[(ci * h + iy as usize) * w + ix as usize];
                                    }
                                }
                            }
                        }
                        let got = out[(o * oh + y) * ow + xo];
                        assert!((got - want).abs() < 1e-12, "{spec:?} {input:?} ({o},{y},{xo}): {got} vs {want}");
                    }
                }
            }
        }
    }

    /// Sizes and paddings as PyTorch computes them: "same" at stride 1 keeps the size with ⌊(k − 1)/2⌋ zeros
    /// before; "valid" drops the rim; stride 2 halves (rounding up with "same").
    #[test]
    fn shapes_and_padding() {
        let c = |kernel, stride, padding| ConvSpec { channels: 4, kernel, stride, padding };
        let img = Shape::Image { channels: 1, height: 8, width: 8 };
        let out = |spec| output_shape(LayerSpec::Conv(spec), img, 1).unwrap();
        assert_eq!(out(c(3, 1, Padding::Same)), Shape::Image { channels: 4, height: 8, width: 8 });
        assert_eq!(out(c(3, 1, Padding::Valid)), Shape::Image { channels: 4, height: 6, width: 6 });
        assert_eq!(out(c(3, 2, Padding::Same)), Shape::Image { channels: 4, height: 4, width: 4 });
        assert_eq!(out(c(3, 2, Padding::Valid)), Shape::Image { channels: 4, height: 3, width: 3 });
        assert_eq!(pad_before(8, c(3, 1, Padding::Same)), 1);
        assert_eq!(pad_before(8, c(4, 1, Padding::Same)), 1, "k = 4: one zero before, two after");
        assert_eq!(pad_before(8, c(3, 2, Padding::Same)), 0, "(4 − 1)·2 + 3 − 8 = 1 zero, after");
        let pooled = output_shape(LayerSpec::Pool(PoolMode::Max), img, 2).unwrap();
        assert_eq!(pooled, Shape::Image { channels: 1, height: 4, width: 4 });
        assert_eq!(pooled.describe(), "4 × 4 × 1");
        let odd = Shape::Image { channels: 2, height: 5, width: 3 };
        assert_eq!(output_shape(LayerSpec::Pool(PoolMode::Avg), odd, 1).unwrap().len(), 2 * 2);
        // Refusals name the layer and what is wrong.
        let e =
            output_shape(LayerSpec::Conv(c(5, 1, Padding::Same)), Shape::Image { channels: 1, height: 4, width: 4 }, 3);
        assert_eq!(
            e.unwrap_err().to_string(),
            "hidden layer 3 (conv): its 5 × 5 kernel is larger than its 4 × 4 input"
        );
        let one = Shape::Image { channels: 8, height: 1, width: 1 };
        let e = output_shape(LayerSpec::Pool(PoolMode::Max), one, 4).unwrap_err();
        assert_eq!(e.to_string(), "hidden layer 4 (pool): cannot pool a 1 × 1 map: 2 × 2 windows need at least 2 × 2");
        let e = output_shape(LayerSpec::Conv(c(3, 1, Padding::Same)), Shape::Flat(64), 2).unwrap_err();
        assert!(e.to_string().starts_with("hidden layer 2 (conv): a convolution needs an image"), "{e}");
        let e = output_shape(LayerSpec::Conv(c(3, 3, Padding::Same)), img, 1).unwrap_err();
        assert_eq!(e.to_string(), "hidden layer 1 (conv): stride 3: the stride is 1 or 2");
    }

    /// Max pooling takes the first largest entry of each window and sends the gradient there; average pooling
    /// shares it.
    #[test]
    fn pooling_forward_and_backward() {
        let x = [1.0, 5.0, 2.0, 2.0, 3.0, 0.0, 2.0, 1.0, 9.0, 9.0, 9.0, 9.0];
        // 1 channel of 3 × 4: windows (0,1,4,5) and (2,3,6,7); the last row is dropped.
        let max = Layer::Pool(Pool::new(PoolMode::Max, [1, 3, 4]));
        let none = PreparedLayer::default();
        let mut z = [0.0; 2];
        max.forward(&none, &x, &mut z, 1, &mut []);
        assert_eq!(z, [5.0, 2.0]);
        let mut g = [7.0; 12];
        max.input_gradient(&none, &x, &[1.0, 10.0], &mut g, 1, &mut []);
        assert_eq!(g, [0.0, 1.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], "ties go to the first");
        let avg = Layer::Pool(Pool::new(PoolMode::Avg, [1, 3, 4]));
        avg.forward(&none, &x, &mut z, 1, &mut []);
        assert_eq!(z, [2.25, 1.75]);
        avg.input_gradient(&none, &x, &[4.0, 8.0], &mut g, 1, &mut []);
        assert_eq!(g, [1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
