//! A network trained anywhere, as a file of arrays: the last hidden layer's outputs on the training set, the
//! labels, and — when given — the last layer itself, a test set and checkpoints over training. This module
//! reads such files (see [`formats`] for NumPy's `.npz`/`.npy` and safetensors) into a [`NetworkFile`] and
//! writes the lab's own runs in the same form, so that the lab can make on any network the measurements it
//! makes on its own (see [`crate::check`]).
//!
//! The names read (the README's recipes write them):
//! - `features` (n × d, float): the last hidden layer's outputs on the training points;
//! - `labels` (n: integers or strings);
//! - `weight` (K × d, PyTorch's `nn.Linear` layout; d × K is accepted when the two cannot be confused) and
//!   `bias` (K), the last layer; K = 1 is a binary head scoring class 1 against class 0;
//! - `classes` (K strings): the classes' names in the head's row order;
//! - `test_features` (m × d) with `test_labels` (m);
//! - `inputs` (n × …): the training inputs, shown as images when their shape is one (n × h × w, n × h × w × c
//!   or n × c × h × w with c ∈ {1, 3});
//! - checkpoints over training: `features@EPOCH`, `weight@EPOCH`, `bias@EPOCH`.
//!
//! Anything else is refused, with a message naming the array, its shape and what was expected; a file is
//! taken whole or not at all.

pub mod formats;

pub use formats::{read_arrays, Format, RawArray, Values};
use ndarray::Array2;
use std::collections::BTreeMap;

/// A last layer as the file gives it: K × d weights (K = 1 for a binary head) and K biases.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    /// Rows × feature width.
    pub weight: Array2<f64>,
    /// One per row (zeros when the file gives none).
    pub bias: Vec<f64>,
    /// Whether the file gave a bias.
    pub has_bias: bool,
}

/// The network at one point of its training.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The epoch (or step) the file names.
    pub epoch: u64,
    /// The training features then (the final ones when the file gives none: a linear probe's).
    pub features: Array2<f64>,
    /// The last layer then, if given.
    pub head: Option<Head>,
}

/// Training inputs, for the gallery.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// n × (everything else), in C order.
    pub values: Array2<f64>,
    /// Height, width and channels when they are images (channels last).
    pub image: Option<[usize; 3]>,
}

/// A network's file, checked and whole.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkFile {
    /// n × d training features.
    pub features: Array2<f64>,
    /// n labels in 0..K.
    pub labels: Vec<usize>,
    /// The K classes' names.
    pub class_names: Vec<String>,
    /// The last layer, if given.
    pub head: Option<Head>,
    /// Test features and labels, if given.
    pub test: Option<(Array2<f64>, Vec<usize>)>,
    /// Checkpoints over training, by epoch (without the final state, which is `features` and `head`).
    pub checkpoints: Vec<Checkpoint>,
    /// The training inputs, if given.
    pub inputs: Option<Inputs>,
    /// What was assumed in reading it (a transposed weight, a missing bias, the classes' order), to be said.
    pub notes: Vec<String>,
    /// Whether every float array in the file was float32.
    pub float32: bool,
}

/// The names read, for messages.
const NAMES: &str = "features, labels, weight, bias, classes, test_features, test_labels, inputs, \
                     features@EPOCH, weight@EPOCH, bias@EPOCH";

/// A shape as NumPy prints it: `(30,)`, `(30, 4)`.
fn shape_text(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    }
}

fn describe(a: &RawArray) -> String {
    format!("`{}` (shape {}, {})", a.name, shape_text(&a.shape), a.dtype)
}

/// A float matrix: 2-D float values, every one finite (taking the values out of `a`).
fn matrix(a: &mut RawArray, what: &str) -> Result<Array2<f64>, String> {
    let Values::Float(v) = &mut a.values else {
        return Err(format!("{} must hold floating-point numbers ({what})", describe(a)));
    };
    if a.shape.len() != 2 {
        return Err(format!("{} must be 2-D ({what}); flatten it first, e.g. x.reshape(len(x), -1)", describe(a)));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        let (r, c) = (i / a.shape[1].max(1), i % a.shape[1].max(1));
        let bad = v[i];
        return Err(format!("{} has a non-finite value ({bad}) at [{r}, {c}]", describe(a)));
    }
    let values = std::mem::take(v);
    Ok(Array2::from_shape_vec((a.shape[0], a.shape[1]), values).expect("shape matches the values"))
}

/// Labels as given: integers or strings, one per row.
enum RawLabels {
    Int(Vec<i64>),
    Text(Vec<String>),
}

fn label_values(a: &RawArray, n: usize, rows_of: &str) -> Result<RawLabels, String> {
    let flat = a.shape.len() == 1 || (a.shape.len() == 2 && a.shape[1] == 1);
    if !flat || a.shape[0] != n {
        return Err(format!("{} must hold one label per row of `{rows_of}` ({n})", describe(a)));
    }
    match &a.values {
        Values::Int(v) => Ok(RawLabels::Int(v.clone())),
        Values::Text(v) => Ok(RawLabels::Text(v.clone())),
        Values::Float(_) => Err(format!(
            "{} holds floating-point numbers: save class labels as integers (labels.astype(int)) or strings",
            describe(a)
        )),
    }
}

impl NetworkFile {
    /// Reads one or more files (their names and bytes) into one network's file.
    pub fn read(files: &[(&str, &[u8])]) -> Result<NetworkFile, String> {
        let mut arrays: Vec<RawArray> = Vec::new();
        let mut from: BTreeMap<String, String> = BTreeMap::new();
        for (name, bytes) in files {
            for a in read_arrays(name, bytes)? {
                if let Some(before) = from.insert(a.name.clone(), name.to_string()) {
                    return Err(format!("the array `{}` is in both {before} and {name}", a.name));
                }
                arrays.push(a);
            }
        }
        NetworkFile::from_arrays(arrays)
    }

    /// A network's file from named arrays (see the module docs for the names).
    pub fn from_arrays(arrays: Vec<RawArray>) -> Result<NetworkFile, String> {
        let mut by_name: BTreeMap<String, RawArray> = BTreeMap::new();
        let mut epochs: BTreeMap<u64, [Option<RawArray>; 3]> = BTreeMap::new();
        let float32 = arrays
            .iter()
            .filter(|a| matches!(a.values, Values::Float(_)))
            .all(|a| a.dtype.contains("f4") || a.dtype.eq_ignore_ascii_case("f32"));
        for a in arrays {
            if let Some((base, epoch)) = a.name.split_once('@') {
                let slot = match base {
                    "features" => 0,
                    "weight" => 1,
                    "bias" => 2,
                    _ => return Err(format!("{} is not one of the names read: {NAMES}", describe(&a))),
                };
                let Ok(e) = epoch.parse::<u64>() else {
                    return Err(format!("{}: the part after @ must be a whole number (the epoch)", describe(&a)));
                };
                epochs.entry(e).or_default()[slot] = Some(a);
                continue;
            }
            match a.name.as_str() {
                "features" | "labels" | "weight" | "bias" | "classes" | "test_features" | "test_labels" | "inputs" => {
                    by_name.insert(a.name.clone(), a);
                }
                _ => return Err(format!("{} is not one of the names read: {NAMES}", describe(&a))),
            }
        }
        let mut notes = Vec::new();
        let mut features_raw =
            by_name.remove("features").ok_or(format!("no `features` array (n × d); the file has: {}", {
                let mut names: Vec<&str> = by_name.keys().map(String::as_str).collect();
                if names.is_empty() {
                    names.push("nothing read");
                }
                names.join(", ")
            }))?;
        let features = matrix(&mut features_raw, "n × d: one row of last-hidden-layer outputs per training point")?;
        let (n, d) = features.dim();
        if n == 0 || d == 0 {
            return Err(format!("{} is empty", describe(&features_raw)));
        }
        let labels_raw = by_name.remove("labels").ok_or("no `labels` array (one class per row of `features`)")?;
        let raw_labels = label_values(&labels_raw, n, "features")?;
        let head = match by_name.remove("weight") {
            Some(mut w) => Some(read_head(&mut w, by_name.get("bias"), d, &mut notes)?),
            None => {
                if let Some(b) = by_name.get("bias") {
                    return Err(format!("{} is given without `weight`", describe(b)));
                }
                None
            }
        };
        let given_classes = match by_name.get("classes") {
            Some(c) => match &c.values {
                Values::Text(v) if c.shape.len() == 1 => Some(v.clone()),
                Values::Int(v) if c.shape.len() == 1 => Some(v.iter().map(i64::to_string).collect()),
                _ => return Err(format!("{} must be a 1-D array of class names", describe(c))),
            },
            None => None,
        };
        let head_classes = head.as_ref().map(|h| h.weight.nrows().max(2));
        let (labels, class_names) =
            classes_of(raw_labels, given_classes.as_deref(), head_classes, &labels_raw, &mut notes)?;
        let k = class_names.len();
        let mut counts = vec![0usize; k];
        labels.iter().for_each(|&y| counts[y] += 1);
        if let Some(empty) = counts.iter().position(|&c| c == 0) {
            return Err(format!(
                "the class {} ({empty}) has no training point: the SVM needs a point of every class the head scores",
                class_names[empty]
            ));
        }
        if k < 2 {
            return Err("the labels name one class: a classifier needs two or more".to_string());
        }
        let test = match (by_name.remove("test_features"), by_name.get("test_labels")) {
            (None, None) => None,
            (Some(mut f), Some(l)) => {
                let tf = matrix(&mut f, "m × d: the test points' features")?;
                if tf.ncols() != d {
                    return Err(format!("{} must have the width of `features` ({d})", describe(&f)));
                }
                let raw = label_values(l, tf.nrows(), "test_features")?;
                let names = class_names.clone();
                let index = |name: String| {
                    names.iter().position(|c| *c == name).ok_or(format!(
                        "{}: the label {name} is not one of the training classes ({})",
                        describe(l),
                        names.join(", ")
                    ))
                };
                let y = match raw {
                    RawLabels::Int(v) if head_classes.is_some() || given_classes.is_some() => v
                        .into_iter()
                        .map(|v| {
                            usize::try_from(v).ok().filter(|&v| v < k).ok_or(format!(
                                "{}: the label {v} is not a class of the head (0..{})",
                                describe(l),
                                k - 1
                            ))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    RawLabels::Int(v) => v.into_iter().map(|v| index(v.to_string())).collect::<Result<_, _>>()?,
                    RawLabels::Text(v) => v.into_iter().map(index).collect::<Result<_, _>>()?,
                };
                Some((tf, y))
            }
            (Some(_), None) => return Err("`test_features` is given without `test_labels`".to_string()),
            (None, Some(_)) => return Err("`test_labels` is given without `test_features`".to_string()),
        };
        let mut checkpoints = Vec::new();
        for (epoch, [mut f, mut w, b]) in epochs {
            let features_e = match &mut f {
                Some(f) => {
                    let m = matrix(f, "n × d: the training features at that epoch")?;
                    if m.nrows() != n {
                        return Err(format!("{} must have a row per training point ({n})", describe(f)));
                    }
                    m
                }
                None => features.clone(),
            };
            let head_e = match &mut w {
                Some(w) => {
                    let mut quiet = Vec::new();
                    let h = read_head(w, b.as_ref(), features_e.ncols(), &mut quiet)?;
                    if let Some(final_head) = &head {
                        if h.weight.nrows() != final_head.weight.nrows() {
                            return Err(format!("{} must have the final `weight`'s rows", describe(w)));
                        }
                    }
                    Some(h)
                }
                None => {
                    if let Some(b) = &b {
                        return Err(format!("{} is given without weight@{epoch}", describe(b)));
                    }
                    None
                }
            };
            if f.is_none() && w.is_none() {
                continue;
            }
            if f.is_none() {
                notes.push(format!("epoch {epoch} has no features: the final features are used (a linear probe's)"));
            }
            checkpoints.push(Checkpoint { epoch, features: features_e, head: head_e });
        }
        let inputs = match by_name.get("inputs") {
            Some(a) => Some(read_inputs(a, n, &mut notes)?),
            None => None,
        };
        Ok(NetworkFile { features, labels, class_names, head, test, checkpoints, inputs, notes, float32 })
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// The bytes of all the file's float arrays held here, as stored (8 bytes a number).
    pub fn memory_bytes(&self) -> usize {
        let mut numbers = self.features.len() + self.test.as_ref().map_or(0, |t| t.0.len());
        numbers += self.checkpoints.iter().map(|c| c.features.len()).sum::<usize>();
        numbers += self.inputs.as_ref().map_or(0, |i| i.values.len());
        numbers * 8
    }

    /// The file as a NumPy `.npz` archive (float64 arrays, int64 labels, the classes' names), readable by
    /// `np.load` and by [`NetworkFile::read`] alike.
    pub fn to_npz(&self) -> Result<Vec<u8>, String> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), String> {
            zip.start_file(format!("{name}.npy"), options).map_err(|e| e.to_string())?;
            zip.write_all(&bytes).map_err(|e| e.to_string())
        };
        put(
            "features",
            npy_f64(
                &self.features.iter().copied().collect::<Vec<_>>(),
                &[self.features.nrows(), self.features.ncols()],
            )?,
        )?;
        put("labels", npy_i64(&self.labels.iter().map(|&y| y as i64).collect::<Vec<_>>())?)?;
        put("classes", npy_text(&self.class_names)?)?;
        if let Some(h) = &self.head {
            put(
                "weight",
                npy_f64(&h.weight.iter().copied().collect::<Vec<_>>(), &[h.weight.nrows(), h.weight.ncols()])?,
            )?;
            if h.has_bias {
                put("bias", npy_f64(&h.bias, &[h.bias.len()])?)?;
            }
        }
        if let Some((f, y)) = &self.test {
            put("test_features", npy_f64(&f.iter().copied().collect::<Vec<_>>(), &[f.nrows(), f.ncols()])?)?;
            put("test_labels", npy_i64(&y.iter().map(|&y| y as i64).collect::<Vec<_>>())?)?;
        }
        for c in &self.checkpoints {
            let e = c.epoch;
            put(
                &format!("features@{e}"),
                npy_f64(&c.features.iter().copied().collect::<Vec<_>>(), &[c.features.nrows(), c.features.ncols()])?,
            )?;
            if let Some(h) = &c.head {
                put(
                    &format!("weight@{e}"),
                    npy_f64(&h.weight.iter().copied().collect::<Vec<_>>(), &[h.weight.nrows(), h.weight.ncols()])?,
                )?;
                if h.has_bias {
                    put(&format!("bias@{e}"), npy_f64(&h.bias, &[h.bias.len()])?)?;
                }
            }
        }
        if let Some(i) = &self.inputs {
            let mut shape = vec![i.values.nrows()];
            match i.image {
                Some([h, w, 1]) => shape.extend([h, w]),
                Some([h, w, c]) => shape.extend([h, w, c]),
                None => shape.push(i.values.ncols()),
            }
            put("inputs", npy_f64(&i.values.iter().copied().collect::<Vec<_>>(), &shape)?)?;
        }
        Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
    }
}

/// One numeric array as `.npy` bytes (NumPy's default dtype for `T`, C order).
fn npy<T: npyz::AutoSerialize + Copy>(values: &[T], shape: &[usize]) -> Result<Vec<u8>, String> {
    use npyz::WriterBuilder;
    let mut out = Vec::new();
    let shape: Vec<u64> = shape.iter().map(|&s| s as u64).collect();
    let mut w = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&shape)
        .writer(&mut out)
        .begin_nd()
        .map_err(|e| e.to_string())?;
    w.extend(values.iter().copied()).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

fn npy_f64(values: &[f64], shape: &[usize]) -> Result<Vec<u8>, String> {
    npy(values, shape)
}

fn npy_i64(values: &[i64]) -> Result<Vec<u8>, String> {
    npy(values, &[values.len()])
}

fn npy_text(values: &[String]) -> Result<Vec<u8>, String> {
    use npyz::WriterBuilder;
    let width = values.iter().map(|s| s.chars().count()).max().unwrap_or(1).max(1);
    let dtype = npyz::DType::parse(&format!("'<U{width}'")).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut w = npyz::WriteOptions::<str>::new()
        .dtype(dtype)
        .shape(&[values.len() as u64])
        .writer(&mut out)
        .begin_nd()
        .map_err(|e| e.to_string())?;
    for v in values {
        w.push(v.as_str()).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The last layer from `weight` (and `bias`) for features of width `d`.
fn read_head(w: &mut RawArray, b: Option<&RawArray>, d: usize, notes: &mut Vec<String>) -> Result<Head, String> {
    let m = matrix(w, "K × d: the last layer, as nn.Linear stores it")?;
    let (r, c) = m.dim();
    let weight = if c == d {
        if r == d && d > 1 {
            notes.push(format!("`{}` is square ({d} × {d}): read as K × d, PyTorch's layout", w.name));
        }
        m
    } else if r == d {
        notes.push(format!("`{}` is d × K ({r} × {c}, as Keras and JAX store it): transposed to K × d", w.name));
        m.t().as_standard_layout().into_owned()
    } else {
        return Err(format!("{} must be K × d or d × K with d = {d}, the width of `features`", describe(w)));
    };
    let k = weight.nrows();
    let (bias, has_bias) = match b {
        Some(b) => {
            let Values::Float(v) = &b.values else {
                return Err(format!("{} must hold floating-point numbers", describe(b)));
            };
            if b.shape.iter().product::<usize>() != k || b.shape.len() > 2 {
                return Err(format!("{} must hold one bias per row of `{}` ({k})", describe(b), w.name));
            }
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(format!("{} has a non-finite value at [{i}]", describe(b)));
            }
            (v.clone(), true)
        }
        None => (vec![0.0; k], false),
    };
    Ok(Head { weight, bias, has_bias })
}

/// The labels as class indices and the classes' names. Integer labels index the head's rows when there is
/// a head (or `classes`); otherwise the classes are the distinct values in order (numerically for integers).
fn classes_of(
    raw: RawLabels,
    given: Option<&[String]>,
    head_classes: Option<usize>,
    labels: &RawArray,
    notes: &mut Vec<String>,
) -> Result<(Vec<usize>, Vec<String>), String> {
    if let (Some(g), Some(k)) = (given, head_classes) {
        if g.len() != k {
            return Err(format!("`classes` names {} classes, the head scores {k}", g.len()));
        }
    }
    match raw {
        RawLabels::Int(v) => {
            let k = head_classes.or(given.map(<[String]>::len));
            match k {
                Some(k) => {
                    let y = v
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| {
                            usize::try_from(v).ok().filter(|&v| v < k).ok_or(format!(
                                "{}: the label {v} at [{i}] is not a row of the head (0..{})",
                                describe(labels),
                                k - 1
                            ))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let names = given.map_or_else(|| (0..k).map(|c| c.to_string()).collect(), <[String]>::to_vec);
                    Ok((y, names))
                }
                None => {
                    let mut distinct = v.clone();
                    distinct.sort_unstable();
                    distinct.dedup();
                    let y = v.iter().map(|x| distinct.binary_search(x).expect("a distinct value")).collect();
                    Ok((y, distinct.iter().map(i64::to_string).collect()))
                }
            }
        }
        RawLabels::Text(v) => {
            let names: Vec<String> = match given {
                Some(g) => g.to_vec(),
                None => {
                    let mut distinct = v.clone();
                    distinct.sort();
                    distinct.dedup();
                    if head_classes.is_some() {
                        notes.push(
                            "string labels without `classes`: the head's rows are taken in the labels' alphabetical \
                             order"
                                .to_string(),
                        );
                    }
                    distinct
                }
            };
            if let Some(k) = head_classes {
                if names.len() != k {
                    return Err(format!(
                        "the labels name {} classes, the head scores {k}: give `classes` (the head's rows' names)",
                        names.len()
                    ));
                }
            }
            let y = v
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    names
                        .iter()
                        .position(|c| c == s)
                        .ok_or(format!("{}: the label {s:?} at [{i}] is not in `classes`", describe(labels)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((y, names))
        }
    }
}

/// The training inputs: n rows, images when the shape is one.
fn read_inputs(a: &RawArray, n: usize, notes: &mut Vec<String>) -> Result<Inputs, String> {
    let Values::Float(v) = &a.values else {
        if let Values::Int(v) = &a.values {
            return read_inputs(
                &RawArray { values: Values::Float(v.iter().map(|&x| x as f64).collect()), ..a.clone() },
                n,
                notes,
            );
        }
        return Err(format!("{} must hold numbers", describe(a)));
    };
    if a.shape.first() != Some(&n) || a.shape.len() < 2 {
        return Err(format!("{} must have a row per training point ({n})", describe(a)));
    }
    let p: usize = a.shape[1..].iter().product();
    let values = Array2::from_shape_vec((n, p), v.clone()).expect("shape matches the values");
    let image = match a.shape[1..] {
        [h, w] => Some([h, w, 1]),
        [h, w, c] if c == 1 || c == 3 => Some([h, w, c]),
        [c, h, w] if (c == 1 || c == 3) && h > 4 && w > 4 => {
            notes.push(format!("`inputs` read as n × c × h × w ({c} × {h} × {w}), PyTorch's layout"));
            // Channels last, as the gallery draws them.
            let mut last = Array2::zeros((n, p));
            for i in 0..n {
                for ch in 0..c {
                    for px in 0..h * w {
                        last[[i, px * c + ch]] = values[[i, ch * h * w + px]];
                    }
                }
            }
            return Ok(Inputs { values: last, image: Some([h, w, c]) });
        }
        _ => None,
    };
    Ok(Inputs { values, image })
}
