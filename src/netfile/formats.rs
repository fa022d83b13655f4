//! The files frameworks write, read into named arrays: NumPy's `.npy` and `.npz` (through `npyz` and `zip`)
//! and safetensors (through the `safetensors` crate). Each array keeps its name, its shape and its values in C
//! order (a Fortran-order array is transposed here), floats widened to `f64`, integers to `i64`, strings as
//! they are. Nothing about what the arrays mean is decided here: that is [`super::NetworkFile`]'s job.

use std::io::{Cursor, Read};

/// One array of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct RawArray {
    /// Its name (an `.npz` member without `.npy`, a safetensors key, or a `.npy` file's stem).
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its values, in C order.
    pub values: Values,
    /// The element type as the file names it (`float32`, `int64`, `<U5`, …), for messages.
    pub dtype: String,
}

/// An array's values.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Floating point (float16 and bfloat16 are not read; float32 and float64 are, widened exactly).
    Float(Vec<f64>),
    /// Integers of any width and sign (unsigned values above i64's range are refused).
    Int(Vec<i64>),
    /// Strings (NumPy `U` and `S`).
    Text(Vec<String>),
}

impl Values {
    /// How many values.
    pub fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which format a file's bytes are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A zip archive of `.npy` members (`np.savez`, `np.savez_compressed`).
    Npz,
    /// One NumPy array (`np.save`).
    Npy,
    /// Hugging Face's safetensors (`safetensors.torch.save_file`, `safetensors.numpy.save_file`).
    Safetensors,
}

impl Format {
    /// The format of `bytes`, told by its first bytes rather than by the file's name.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Format::Npz)
        } else if bytes.starts_with(b"\x93NUMPY") {
            Some(Format::Npy)
        } else if bytes.len() >= 9 && bytes[8] == b'{' {
            Some(Format::Safetensors)
        } else {
            None
        }
    }
}

/// The arrays of one file. `name` is the file's name (for messages, and a `.npy` array's name: its stem).
pub fn read_arrays(name: &str, bytes: &[u8]) -> Result<Vec<RawArray>, String> {
    match Format::sniff(bytes) {
        Some(Format::Npz) => read_npz(name, bytes),
        Some(Format::Npy) => {
            let stem = stem_of(name);
            Ok(vec![read_npy(&stem, Cursor::new(bytes)).map_err(|e| format!("{name}: {e}"))?])
        }
        Some(Format::Safetensors) => read_safetensors(name, bytes),
        None => {
            Err(format!("{name}: not a NumPy (.npy, .npz) or safetensors file (its first bytes are none of theirs)"))
        }
    }
}

/// A file name without its folders and its extension.
fn stem_of(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.strip_suffix(".npy").unwrap_or(base).to_string()
}

fn read_npz(name: &str, bytes: &[u8]) -> Result<Vec<RawArray>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("{name}: not a readable .npz: {e}"))?;
    let mut arrays = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| format!("{name}: member {i}: {e}"))?;
        if member.is_dir() {
            continue;
        }
        let member_name = member.name().to_string();
        let array_name = member_name.strip_suffix(".npy").unwrap_or(&member_name).to_string();
        // Read straight from the (possibly compressed) member: no copy of its bytes is held.
        let array = read_npy(&array_name, std::io::BufReader::new(&mut member)).map_err(|e| format!("{name}: {e}"))?;
        arrays.push(array);
    }
    Ok(arrays)
}

/// One `.npy` stream as an array called `name`.
fn read_npy(name: &str, reader: impl Read) -> Result<RawArray, String> {
    use npyz::{DType, TypeChar};
    let npy = npyz::NpyFile::new(reader).map_err(|e| format!("array `{name}`: not a valid .npy: {e}"))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&s| s as usize).collect();
    let fortran = npy.order() == npyz::Order::Fortran;
    let dtype = npy.dtype();
    let described = dtype.descr();
    let bad = |e: std::io::Error| format!("array `{name}` ({described}): {e}");
    let DType::Plain(ts) = &dtype else {
        return Err(format!("array `{name}` is a structured array ({described}); save plain numeric arrays"));
    };
    let size = ts.size_field();
    let values = match (ts.type_char(), size) {
        (TypeChar::Float, 4) => {
            let mut out = Vec::with_capacity(usize::try_from(npy.len()).unwrap_or(0));
            for v in npy.data::<f32>().map_err(|e| format!("array `{name}` ({described}): {e}"))? {
                out.push(f64::from(v.map_err(bad)?));
            }
            Values::Float(out)
        }
        (TypeChar::Float, 8) => Values::Float(npy.into_vec::<f64>().map_err(bad)?),
        (TypeChar::Int, 1) => Values::Int(npy.into_vec::<i8>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Int, 2) => Values::Int(npy.into_vec::<i16>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Int, 4) => Values::Int(npy.into_vec::<i32>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Int, 8) => Values::Int(npy.into_vec::<i64>().map_err(bad)?),
        (TypeChar::Uint, 1) => Values::Int(npy.into_vec::<u8>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Uint, 2) => Values::Int(npy.into_vec::<u16>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Uint, 4) => Values::Int(npy.into_vec::<u32>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::Uint, 8) => Values::Int(
            npy.into_vec::<u64>()
                .map_err(bad)?
                .into_iter()
                .map(|v| i64::try_from(v).map_err(|_| format!("array `{name}`: the value {v} is out of range")))
                .collect::<Result<_, _>>()?,
        ),
        (TypeChar::Bool, 1) => Values::Int(npy.into_vec::<bool>().map_err(bad)?.into_iter().map(i64::from).collect()),
        (TypeChar::UnicodeStr | TypeChar::ByteStr, _) => Values::Text(npy.into_vec::<String>().map_err(bad)?),
        (TypeChar::Object, _) => {
            return Err(format!(
                "array `{name}` holds Python objects (dtype=object, pickled): save numbers or fixed-width strings \
                 (e.g. labels.astype(str))"
            ))
        }
        _ => return Err(format!("array `{name}` has the element type {described}, which is not read here (float32, float64, integers, strings)")),
    };
    let values = if fortran && shape.len() > 1 { to_c_order(values, &shape) } else { values };
    Ok(RawArray { name: name.to_string(), shape, values, dtype: described })
}

/// Values stored in Fortran order (first index fastest) rearranged to C order (last index fastest).
fn to_c_order(values: Values, shape: &[usize]) -> Values {
    fn permute<T: Clone>(v: Vec<T>, shape: &[usize]) -> Vec<T> {
        let n = v.len();
        let mut out = Vec::with_capacity(n);
        let mut index = vec![0usize; shape.len()];
        for _ in 0..n {
            // The Fortran offset of the C-order position `index`.
            let mut offset = 0;
            let mut stride = 1;
            for (i, &s) in index.iter().zip(shape) {
                offset += i * stride;
                stride *= s;
            }
            out.push(v[offset].clone());
            for axis in (0..shape.len()).rev() {
                index[axis] += 1;
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        out
    }
    match values {
        Values::Float(v) => Values::Float(permute(v, shape)),
        Values::Int(v) => Values::Int(permute(v, shape)),
        Values::Text(v) => Values::Text(permute(v, shape)),
    }
}

fn read_safetensors(name: &str, bytes: &[u8]) -> Result<Vec<RawArray>, String> {
    use safetensors::Dtype;
    let file = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| format!("{name}: not a valid safetensors file: {e}"))?;
    let mut arrays = Vec::new();
    for (key, view) in file.tensors() {
        let data = view.data();
        let shape = view.shape().to_vec();
        let dtype = view.dtype();
        let chunks = |width: usize| data.chunks_exact(width);
        let values = match dtype {
            Dtype::F32 => Values::Float(
                chunks(4).map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes")))).collect(),
            ),
            Dtype::F64 => {
                Values::Float(chunks(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
            }
            Dtype::I8 => Values::Int(data.iter().map(|&b| i64::from(b as i8)).collect()),
            Dtype::U8 => Values::Int(data.iter().map(|&b| i64::from(b)).collect()),
            Dtype::BOOL => Values::Int(data.iter().map(|&b| i64::from(b != 0)).collect()),
            Dtype::I16 => {
                Values::Int(chunks(2).map(|c| i64::from(i16::from_le_bytes(c.try_into().expect("2 bytes")))).collect())
            }
            Dtype::U16 => {
                Values::Int(chunks(2).map(|c| i64::from(u16::from_le_bytes(c.try_into().expect("2 bytes")))).collect())
            }
            Dtype::I32 => {
                Values::Int(chunks(4).map(|c| i64::from(i32::from_le_bytes(c.try_into().expect("4 bytes")))).collect())
            }
            Dtype::U32 => {
                Values::Int(chunks(4).map(|c| i64::from(u32::from_le_bytes(c.try_into().expect("4 bytes")))).collect())
            }
            Dtype::I64 => Values::Int(chunks(8).map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()),
            other => {
                return Err(format!(
                    "{name}: tensor `{key}` is {other:?}, which is not read here (F32, F64, integers): convert it \
                     with .float() before saving"
                ))
            }
        };
        arrays.push(RawArray { name: key, shape, values, dtype: format!("{dtype:?}") });
    }
    // safetensors keeps its keys sorted; keep that order (it is the file's, not a hash map's).
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(arrays)
}
