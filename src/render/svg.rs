//! Figures as SVG for papers, slides and posts: the same scenes drawn by the same code as the canvas and the
//! PNG, through plotters' SVG backend — lines, points and text as vectors, the heatmap and the gallery's
//! images as embedded PNG — with the configuration they came from in the file's metadata, so that a reader
//! can reproduce the figure from its link.
//!
//! plotters' SVG backend writes a bitmap as one rectangle per pixel (it embeds PNG only natively, with a crate
//! this build does not carry). [`SvgFigure`] wraps it: each bitmap leaves a marker in the document where it is
//! drawn, and [`SvgFigure::finish`] swaps each marker for an `<image>` of the bitmap, encoded as PNG — so the
//! image keeps its place between what is drawn under and over it.

use base64::Engine as _;
use plotters::prelude::*;
use plotters_backend::{BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};

/// The marker a bitmap leaves in the document (replaced by its image when the figure is finished).
fn marker(index: usize) -> String {
    format!("\u{27e6}bitmap {index}\u{27e7}")
}

/// plotters' SVG backend with bitmaps embedded as PNG images (see the module docs).
pub struct SvgFigure<'a> {
    inner: SVGBackend<'a>,
    images: Images,
    measure: Option<&'a Measure<'a>>,
}

/// How wide a text is drawn, given the text and its CSS font ("normal 14px sans-serif"): the page measures
/// with its canvas (plotters' own measure in a browser inserts styled elements, which a strict
/// Content-Security-Policy forbids); without one, plotters measures with the font it has.
pub type Measure<'m> = dyn Fn(&str, &str) -> f64 + 'm;

/// The images a figure's bitmaps became, in the order they were drawn (shared, so that they can be read once
/// the drawing area, which owns the backend, is gone).
pub type Images = std::rc::Rc<std::cell::RefCell<Vec<String>>>;

impl<'a> SvgFigure<'a> {
    /// A figure of `size` (SVG user units, one per pixel of the drawing) written into `out`, and where its
    /// bitmaps' images will be.
    pub fn new(out: &'a mut String, size: (u32, u32), measure: Option<&'a Measure<'a>>) -> (SvgFigure<'a>, Images) {
        let images = Images::default();
        (SvgFigure { inner: SVGBackend::with_string(out, size), images: images.clone(), measure }, images)
    }

    /// The finished document: every bitmap's marker replaced by its image, and `metadata` (JSON: the
    /// configuration the figure came from) and `title` written into it.
    pub fn finish(svg: &str, images: &[String], title: &str, metadata: &str) -> String {
        let mut out = svg.to_string();
        for (i, image) in images.iter().enumerate() {
            let mark = marker(i);
            let Some(at) = out.find(&mark) else { continue };
            let start = out[..at].rfind("<text").unwrap_or(at);
            let end = out[at..].find("</text>").map_or(at + mark.len(), |e| at + e + "</text>".len());
            out.replace_range(start..end, image);
        }
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let head = format!(
            "<title>{}</title><metadata id=\"lastlayer-config\"><![CDATA[{}]]></metadata>",
            escape(title),
            metadata.replace("]]>", "]]]]><![CDATA[>")
        );
        if let Some(open) = out.find("<svg").and_then(|s| out[s..].find('>').map(|e| s + e + 1)) {
            out.insert_str(open, &head);
        }
        out
    }
}

/// `rgb` (width × height, row-major from the top) as a PNG data URL.
fn png_data_url(width: u32, height: u32, rgb: &[u8]) -> Option<String> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(rgb).ok()?;
    }
    Some(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

type Failure<'a> = DrawingErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for SvgFigure<'a> {
    type ErrorType = <SVGBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Failure<'a>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Failure<'a>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: plotters_backend::BackendColor) -> Result<(), Failure<'a>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure<'a>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure<'a>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), Failure<'a>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), Failure<'a>> {
        match self.measure {
            Some(measure) => {
                let font = format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str());
                Ok((measure(text, &font).ceil() as u32, style.size().ceil() as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    /// An image in one element (see the module docs), not one rectangle per pixel.
    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Result<(), Failure<'a>> {
        let Some(url) = png_data_url(w, h, &src[..(w * h * 3) as usize]) else { return Ok(()) };
        let index = self.images.borrow().len();
        self.images.borrow_mut().push(format!(
            "<image x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"none\" href=\"{url}\"/>",
            pos.0, pos.1
        ));
        let font = FontDesc::new(FontFamily::SansSerif, 1.0, FontStyle::Normal);
        let style = TextStyle::from(font).color(&BLACK);
        self.inner.draw_text(&marker(index), &style, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bitmap becomes one `<image>` in its place (between what is drawn before and after it), with a PNG
    /// that decodes to the same pixels; the metadata and title are in the document.
    #[test]
    fn bitmaps_become_images_in_place() {
        let mut out = String::new();
        let images = {
            let (mut figure, images) = SvgFigure::new(&mut out, (40, 30), None);
            figure.draw_rect((0, 0), (40, 30), &WHITE, true).unwrap();
            let pixels: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
            figure.blit_bitmap((5, 6), (4, 3), &pixels).unwrap();
            figure.draw_line((0, 0), (10, 10), &RED).unwrap();
            figure.present().unwrap();
            images
        };
        let svg = SvgFigure::finish(&out, &images.borrow(), "a <test>", r#"{"config": 1}"#);
        let image = svg.find("<image").expect("an image");
        assert!(svg.find("<rect").unwrap() < image && image < svg.find("<line").or(svg.find("<polyline")).unwrap());
        assert!(!svg.contains('\u{27e6}'), "no marker left");
        assert!(svg.contains("<title>a &lt;test&gt;</title>") && svg.contains(r#"<![CDATA[{"config": 1}]]>"#));
        let url = &svg[svg.find("base64,").unwrap() + 7..];
        let bytes = base64::engine::general_purpose::STANDARD.decode(&url[..url.find('"').unwrap()]).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut buf).unwrap();
        assert_eq!(buf, (0..36).map(|i| (i * 7) as u8).collect::<Vec<_>>());
    }
}
