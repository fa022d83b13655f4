//! Labelled rows as CSV: a header row, numeric feature columns, and a label column — the one named `label`
//! (any case), else the last. Labels may be class numbers or any strings (their names are kept, in sorted
//! order: numerically when they are all numbers). A UTF-8 byte-order mark, CRLF line ends, quoted fields,
//! blank lines and `#` comment lines are accepted. A comment `# image: HxWxC` (e.g. `# image: 28x28x1`)
//! declares that each row is an image of H rows, W columns and C channels, its H·W·C feature columns stored
//! channel by channel and row by row within a channel — the order `torch.flatten` gives an image tensor — so
//! that convolutional networks can take it.
//!
//! The page's own points are the strict form `x,y,label` with class numbers 0..K−1 ([`parse_points`]). Every
//! error names the line (1-based, the header is line 1) so the user can fix it. The bundled digits are read
//! here too ([`parse_digits`], and natively [`bundled_digits`]).

use crate::data::{LabeledPoint, Table, MAX_CLASSES, MAX_FEATURES, MAX_GENERATED_CLASSES, MAX_SAMPLES, MAX_TABLE_ROWS};
use ndarray::Array2;
use std::collections::HashMap;
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

/// The largest table the command line reads.
pub const MAX_ROWS: usize = 10_000_000;

/// Limits and rules for [`parse_table`].
#[derive(Clone, Debug, PartialEq)]
pub struct TableRules {
    /// Largest number of data rows.
    pub max_rows: usize,
    /// Largest number of feature columns.
    pub max_features: usize,
    /// Largest number of classes.
    pub max_classes: usize,
    /// Labels must be class numbers 0..K−1, each present (the points format); otherwise any strings.
    pub numbered_classes: bool,
    /// The exact number of feature columns required, if any.
    pub features: Option<usize>,
}

impl Default for TableRules {
    /// The page's limits for imported tables: 20 000 rows, 1 024 features, 10 classes, any labels.
    fn default() -> Self {
        TableRules {
            max_rows: MAX_TABLE_ROWS,
            max_features: MAX_FEATURES,
            max_classes: MAX_CLASSES,
            numbered_classes: false,
            features: None,
        }
    }
}

/// Parses `text` into a table called `name` under `rules`.
pub fn parse_table(text: &str, name: &str, rules: &TableRules) -> Result<Table, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
    let named: Vec<usize> = (0..width).filter(|&c| header[c].eq_ignore_ascii_case("label")).collect();
    if named.len() > 1 {
        return Err(at(1, "more than one column is called 'label'"));
    }
    let label_col = named.first().copied().unwrap_or(width - 1);
    let feature_cols: Vec<usize> = (0..width).filter(|&c| c != label_col).collect();
    let d = feature_cols.len();
    if let Some(want) = rules.features {
        if d != want {
            return Err(at(1, format!("expected {} columns ({want} features and a label), found {width}", want + 1)));
        }
    }
    if d > rules.max_features {
        return Err(at(1, format!("{d} feature columns: at most {} are allowed", rules.max_features)));
    }
    let mut values = Vec::new();
    let mut raw_labels: Vec<String> = Vec::new();
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(at(e.position().map_or(0, |p| p.line()), e.to_string())),
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if record.len() != width {
            return Err(at(line, format!("expected {width} values, found {}", record.len())));
        }
        for &col in &feature_cols {
            let field = &record[col];
            let v: f64 = field
                .parse()
                .map_err(|_| at(line, format!("column {} ({}): '{field}' is not a number", col + 1, &header[col])))?;
            if !v.is_finite() || v.abs() > 1e12 {
                return Err(at(
                    line,
                    format!("column {} ({}): '{field}' is not a finite number of at most 10¹²", col + 1, &header[col]),
                ));
            }
            values.push(v);
        }
        let raw = record[label_col].to_string();
        if raw.is_empty() {
            return Err(at(line, "the label is empty"));
        }
        if rules.numbered_classes {
            let label: usize = raw
                .parse()
                .map_err(|_| at(line, format!("label '{raw}' is not a class number 0..{}", rules.max_classes - 1)))?;
            if label >= rules.max_classes {
                return Err(at(
                    line,
                    format!("label {label} is too large: classes are numbered 0..{}", rules.max_classes - 1),
                ));
            }
        }
        if !first_seen.contains_key(&raw) {
            if first_seen.len() == rules.max_classes && !rules.numbered_classes {
                return Err(at(
                    line,
                    format!(
                        "label '{raw}' would be class {}: at most {} classes are allowed",
                        rules.max_classes + 1,
                        rules.max_classes
                    ),
                ));
            }
            first_seen.insert(raw.clone(), line);
        }
        raw_labels.push(raw);
        if raw_labels.len() > rules.max_rows {
            return Err(at(line, format!("too many rows: at most {} are allowed", rules.max_rows)));
        }
    }
    if raw_labels.is_empty() {
        return Err(at(2, "no data rows after the header"));
    }
    let mut names: Vec<String> = first_seen.keys().cloned().collect();
    let numeric: Option<Vec<f64>> = names.iter().map(|n| n.parse::<f64>().ok()).collect();
    match numeric {
        Some(_) => crate::order::sort_by_key(&mut names, |n| (n.parse::<f64>().unwrap_or(0.0), 0)),
        None => names.sort(),
    }
    if rules.numbered_classes {
        let classes = names.iter().filter_map(|n| n.parse::<usize>().ok()).max().map_or(0, |m| m + 1);
        if let Some(missing) = (0..classes).find(|k| !first_seen.contains_key(&k.to_string())) {
            return Err(at(1, format!("labels go up to {} but class {missing} has no rows", classes - 1)));
        }
        names = (0..classes).map(|k| k.to_string()).collect();
    }
    if names.len() < 2 {
        return Err(at(1, format!("every row has the label '{}': at least two classes are needed", names[0])));
    }
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(k, n)| (n.as_str(), k)).collect();
    let labels: Vec<usize> = raw_labels.iter().map(|l| index[l.as_str()]).collect();
    let inputs = Array2::from_shape_vec((labels.len(), d), values).expect("every accepted row pushed d values");
    let shape = declared_image(text, d)?;
    let image = match shape {
        Some([1, h, w]) => Some([w, h]),
        Some(_) => None,
        None => Table::guess_image(inputs.view()),
    };
    Ok(Table {
        name: name.to_string(),
        inputs,
        labels,
        class_names: names,
        feature_names: feature_cols.iter().map(|&c| header[c].to_string()).collect(),
        image,
        shape,
    })
}

/// The image shape (channels, height, width) a `# image: HxWxC` comment declares for rows of `d` features,
/// if one does.
fn declared_image(text: &str, d: usize) -> Result<Option<[usize; 3]>, CsvError> {
    let mut found = None;
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix('#') else { continue };
        let comment = comment.trim();
        let Some(value) = comment.get(..6).filter(|k| k.eq_ignore_ascii_case("image:")).map(|_| &comment[6..]) else {
            continue;
        };
        let line = i as u64 + 1;
        if found.is_some() {
            return Err(at(line, "a second `# image:` line: declare the image shape once"));
        }
        let sizes: Option<Vec<usize>> =
            value.split(['x', 'X', '×']).map(|v| v.trim().parse().ok().filter(|&n: &usize| n > 0)).collect();
        let [h, w, c] = sizes
            .as_deref()
            .and_then(|s| <[usize; 3]>::try_from(s).ok())
            .ok_or_else(|| at(line, format!("`# {comment}` is not an image shape: write HxWxC, such as 28x28x1")))?;
        if h * w * c != d {
            return Err(at(
                line,
                format!("an image of {h} × {w} × {c} is {} numbers, but the rows have {d} features", h * w * c),
            ));
        }
        found = Some([c, h, w]);
    }
    Ok(found)
}

/// Parses the page's `x,y,label` format into points (at most 5 000, class numbers below 6).
pub fn parse_points(text: &str) -> Result<Vec<LabeledPoint>, CsvError> {
    let rules = TableRules {
        max_rows: MAX_SAMPLES,
        max_features: 2,
        max_classes: MAX_GENERATED_CLASSES,
        numbered_classes: true,
        features: Some(2),
    };
    let table = parse_table(text, "points", &rules)?;
    Ok(table
        .labels
        .iter()
        .enumerate()
        .map(|(i, &l)| LabeledPoint(table.inputs[[i, 0]], table.inputs[[i, 1]], l))
        .collect())
}

/// The bundled digits: 64 pixel columns and the digit, no header.
pub fn parse_digits(text: &str) -> Result<Table, CsvError> {
    let header: Vec<String> = (0..64).map(|k| format!("pixel {} {}", k / 8, k % 8)).chain(["label".into()]).collect();
    let mut table = parse_table(&format!("{}\n{text}", header.join(",")), "digits", &TableRules::default())?;
    table.image = Some([8, 8]);
    table.shape = Some([1, 8, 8]);
    table.class_names = (0..10).map(|k| k.to_string()).collect();
    Ok(table)
}

/// The bundled digits, decompressed from the copy the command line carries (the page fetches its own copy
/// on demand instead of carrying it in the wasm).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled_digits() -> Table {
    use std::io::Read;
    let bytes: &[u8] = include_bytes!("../assets/digits/digits.csv.gz");
    let mut text = String::new();
    // The bundled file is valid gzip of UTF-8 CSV (checked by the tests).
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("the bundled digits decompress");
    parse_digits(&text).expect("the bundled digits parse")
}

/// A library holding the bundled digits (native builds).
#[cfg(not(target_arch = "wasm32"))]
pub fn library_with_digits() -> crate::data::Library {
    let mut library = crate::data::Library::default();
    library.insert(crate::data::DIGITS, bundled_digits());
    library
}

/// Writes points as `x,y,label` with a header (values round-trip exactly).
pub fn write_points(points: &[LabeledPoint]) -> String {
    let mut out = String::from("x,y,label\n");
    for p in points {
        out.push_str(&format!("{},{},{}\n", p.0, p.1, p.2));
    }
    out
}

/// Writes a table with its header and class names (values round-trip exactly).
pub fn write_table(table: &Table) -> String {
    let mut out = Vec::new();
    if let Some([c, h, w]) = table.shape {
        out.extend_from_slice(format!("# image: {h}x{w}x{c}\n").as_bytes());
    }
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = table.feature_names.iter().map(String::as_str).collect();
    header.push("label");
    // Writing into memory cannot fail.
    writer.write_record(&header).expect("in memory");
    for (row, &l) in table.inputs.rows().into_iter().zip(&table.labels) {
        let mut fields: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        fields.push(table.class_names[l].clone());
        writer.write_record(&fields).expect("in memory");
    }
    String::from_utf8(writer.into_inner().expect("in memory")).expect("CSV of UTF-8 fields")
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

    /// A `# image: HxWxC` line declares the rows' image shape (channels first in the result); a shape that does
    /// not match the columns, or is not three sizes, is refused at its line; the shape survives a round trip.
    #[test]
    fn image_shapes_are_declared_and_checked() {
        let header: Vec<String> = (0..12).map(|i| format!("p{i}")).chain(["label".into()]).collect();
        let row = |l: usize| (0..12).map(|i| (i + l).to_string()).chain([l.to_string()]).collect::<Vec<_>>().join(",");
        let body = format!("{}\n{}\n{}\n", header.join(","), row(0), row(1));
        let t = parse_table(&format!("# made by hand\n# image: 2x3x2\n{body}"), "t", &TableRules::default()).unwrap();
        assert_eq!(t.shape, Some([2, 2, 3]));
        assert_eq!(t.image, None, "two channels: no single-channel picture for the gallery");
        assert_eq!(parse_table(&write_table(&t), "t", &TableRules::default()).unwrap(), t);
        let flat = parse_table(&body, "t", &TableRules::default()).unwrap();
        assert_eq!(flat.shape, None);
        let e = parse_table(&format!("# image: 4x4x1\n{body}"), "t", &TableRules::default()).unwrap_err();
        assert_eq!(e.to_string(), "line 1: an image of 4 × 4 × 1 is 16 numbers, but the rows have 12 features");
        let e = parse_table(&format!("{body}# IMAGE: 3 x 4\n"), "t", &TableRules::default()).unwrap_err();
        assert_eq!(e.to_string(), "line 4: `# IMAGE: 3 x 4` is not an image shape: write HxWxC, such as 28x28x1");
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
            ("x,y,label\n0,0,0\n1,inf,1\n", "line 3: column 2 (y): 'inf' is not a finite number"),
            ("x,y,label\n0,0,0\n1,1,2\n", "line 1: labels go up to 2 but class 1 has no rows"),
            ("x,y,label\n", "line 2: no data rows"),
        ];
        for (text, want) in cases {
            let got = parse_points(text).unwrap_err().to_string();
            assert!(got.starts_with(want), "for {text:?}: got {got:?}, want {want:?}");
        }
    }

    /// A table with a BOM, CRLF, a quoted field, string labels in a middle `Label` column, and a comment:
    /// classes sorted by name, features in file order.
    #[test]
    fn reads_tables_of_any_width_with_string_labels() {
        let text = "\u{feff}sepal length,Label,\"sepal, width\",petal\r\n5.1,setosa,3.5,1.4\r\n# a note\r\n7.0,versicolor,3.2,4.7\r\n4.9,setosa,3.0,1.4\r\n";
        let t = parse_table(text, "iris.csv", &TableRules::default()).unwrap();
        assert_eq!(t.feature_names, vec!["sepal length", "sepal, width", "petal"]);
        assert_eq!(t.class_names, vec!["setosa", "versicolor"]);
        assert_eq!(t.labels, vec![0, 1, 0]);
        assert_eq!(t.inputs.row(1).to_vec(), vec![7.0, 3.2, 4.7]);
        assert_eq!(t.image, None);
        // Numeric labels sort numerically: 10 after 9.
        let t = parse_table("a,label\n1,10\n2,9\n", "n", &TableRules::default()).unwrap();
        assert_eq!(t.class_names, vec!["9", "10"]);
        let err = parse_table("a,label\n1,x\n", "one", &TableRules::default()).unwrap_err().to_string();
        assert_eq!(err, "line 1: every row has the label 'x': at least two classes are needed");
        let many: String = (0..12).map(|k| format!("{k},c{k}\n")).collect();
        let err = parse_table(&format!("a,label\n{many}"), "m", &TableRules::default()).unwrap_err().to_string();
        assert_eq!(err, "line 12: label 'c10' would be class 11: at most 10 classes are allowed");
        let back = parse_table(&write_table(&t_of_three()), "again", &TableRules::default()).unwrap();
        assert_eq!(back.inputs, t_of_three().inputs);
        assert_eq!(back.class_names, t_of_three().class_names);
    }

    fn t_of_three() -> Table {
        parse_table("u,v,w,label\n0.1,2,3,b\n1e-9,5,6,a\n7,8,9.5,c\n", "t", &TableRules::default()).unwrap()
    }
}
