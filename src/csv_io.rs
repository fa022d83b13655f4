//! Labelled points as CSV: a header row, one feature per column, the integer class label (0..K−1) last.
//!
//! The page imports and exports the user's points as `x,y,label`; the command line's `svm` reads any number
//! of feature columns. Every error names the line (1-based, the header is line 1) so the user can fix it.

use crate::data::{LabeledPoint, MAX_CLASSES, MAX_SAMPLES};
use ndarray::Array2;
use thiserror::Error;

/// A CSV problem, located.
#[derive(Error, Debug, Clone, PartialEq)]
#[error("line {line}: {message}")]
pub struct CsvError {
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// What is wrong there.
    pub message: String,
}

fn at(line: u64, message: impl Into<String>) -> CsvError {
    CsvError { line, message: message.into() }
}

/// A parsed table of labelled feature vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledTable {
    /// n × d features.
    pub features: Array2<f64>,
    /// The label of each row.
    pub labels: Vec<usize>,
    /// Number of classes (largest label + 1).
    pub classes: usize,
    /// The header's feature column names.
    pub columns: Vec<String>,
}

/// Parses `text`: a header, then rows of `d` finite numbers and a label in `0..max_classes`.
/// With `features = Some(d)` the header must have exactly `d + 1` columns.
pub fn parse_labeled(text: &str, features: Option<usize>, max_classes: usize) -> Result<LabeledTable, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| at(1, e.to_string()))?.clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(at(1, "the file is empty: expected a header row such as x,y,label"));
    }
    if header.iter().all(|h| h.parse::<f64>().is_ok()) {
        return Err(at(1, "expected a header row (such as x,y,label) but found numbers"));
    }
    let width = header.len();
    if width < 2 {
        return Err(at(1, "need at least one feature column and a label column"));
    }
    if let Some(d) = features {
        if width != d + 1 {
            return Err(at(1, format!("expected {} columns ({d} features and a label), found {width}", d + 1)));
        }
    }
    let d = width - 1;
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| at(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if record.len() != width {
            return Err(at(line, format!("expected {width} values, found {}", record.len())));
        }
        for (col, field) in record.iter().take(d).enumerate() {
            let v: f64 = field
                .parse()
                .map_err(|_| at(line, format!("column {} ({}): '{field}' is not a number", col + 1, &header[col])))?;
            if !v.is_finite() {
                return Err(at(line, format!("column {} ({}): '{field}' is not finite", col + 1, &header[col])));
            }
            values.push(v);
        }
        let raw = &record[d];
        let label: usize =
            raw.parse().map_err(|_| at(line, format!("label '{raw}' is not a class number 0..{}", max_classes - 1)))?;
        if label >= max_classes {
            return Err(at(line, format!("label {label} is too large: classes are numbered 0..{}", max_classes - 1)));
        }
        labels.push(label);
        if labels.len() > MAX_ROWS {
            return Err(at(line, format!("too many rows (at most {MAX_ROWS})")));
        }
    }
    if labels.is_empty() {
        return Err(at(2, "no data rows after the header"));
    }
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; classes];
    for &l in &labels {
        counts[l] += 1;
    }
    if let Some(missing) = counts.iter().position(|&c| c == 0) {
        return Err(at(1, format!("labels go up to {} but class {missing} has no rows", classes - 1)));
    }
    let features =
        Array2::from_shape_vec((labels.len(), d), values).expect("every accepted row pushed exactly d values");
    Ok(LabeledTable { features, labels, classes, columns: header.iter().take(d).map(String::from).collect() })
}

/// The largest table the command line reads.
pub const MAX_ROWS: usize = 10_000_000;

/// Parses the page's `x,y,label` format into points (at most [`MAX_SAMPLES`], labels below [`MAX_CLASSES`]).
pub fn parse_points(text: &str) -> Result<Vec<LabeledPoint>, CsvError> {
    let table = parse_labeled(text, Some(2), MAX_CLASSES)?;
    if table.labels.len() > MAX_SAMPLES {
        return Err(at(MAX_SAMPLES as u64 + 2, format!("too many points: the page takes at most {MAX_SAMPLES}")));
    }
    Ok(table
        .labels
        .iter()
        .enumerate()
        .map(|(i, &l)| LabeledPoint(table.features[[i, 0]], table.features[[i, 1]], l))
        .collect())
}

/// Writes points as `x,y,label` with a header (values round-trip exactly).
pub fn write_points(points: &[LabeledPoint]) -> String {
    let mut out = String::from("x,y,label\n");
    for p in points {
        out.push_str(&format!("{},{},{}\n", p.0, p.1, p.2));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let pts = parse_points("x,y,label\n0.5,0.25,0\n-1e-3, 2 ,1\n\n").unwrap();
        assert_eq!(pts, vec![LabeledPoint(0.5, 0.25, 0), LabeledPoint(-1e-3, 2.0, 1)]);
        assert_eq!(parse_points(&write_points(&pts)).unwrap(), pts);
    }

    /// Each kind of bad file names its line.
    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("", "line 1: the file is empty"),
            ("1,2,0\n", "line 1: expected a header row"),
            ("x,y\n1,0\n", "line 1: expected 3 columns"),
            ("x,y,label\n0,0,0\n1,oops,1\n", "line 3: column 2 (y): 'oops' is not a number"),
            ("x,y,label\n0,0,0\n1,1\n", "line 3: expected 3 values, found 2"),
            ("x,y,label\n0,0,0\n1,1,-1\n", "line 3: label '-1' is not a class number"),
            ("x,y,label\n0,0,0\n1,1,9\n", "line 3: label 9 is too large"),
            ("x,y,label\n0,0,0\n1,inf,1\n", "line 3: column 2 (y): 'inf' is not finite"),
            ("x,y,label\n0,0,0\n1,1,2\n", "line 1: labels go up to 2 but class 1 has no rows"),
            ("x,y,label\n", "line 2: no data rows"),
        ];
        for (text, want) in cases {
            let got = parse_points(text).unwrap_err().to_string();
            assert!(got.starts_with(want), "for {text:?}: got {got:?}, want {want:?}");
        }
    }
}
