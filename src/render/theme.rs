//! Colours and sizes: the light and dark themes at a device-pixel scale, and the class palette.

use plotters::prelude::*;

/// Colours and sizes of a theme at a device-pixel scale.
#[derive(Clone, Debug)]
pub struct Style {
    /// Device pixels per CSS pixel (2 on most phones and high-DPI screens).
    pub scale: f64,
    /// Page background.
    pub background: RGBColor,
    /// Text, axes and the network's boundary.
    pub foreground: RGBColor,
    /// Secondary text and grid lines.
    pub muted: RGBColor,
    /// The SVM's lines.
    pub svm: RGBColor,
    /// Where the network and the SVM disagree.
    pub disagreement: RGBColor,
    /// One colour per class: Okabe–Ito's six (distinguishable with every common colour-vision deficiency),
    /// then four of Paul Tol's muted scheme for the digits' ten classes.
    pub classes: [RGBColor; 10],
    /// Font family for all text.
    pub font: &'static str,
}

/// Okabe & Ito's colour-blind-safe palette (blue, orange, bluish green, reddish purple, sky blue,
/// vermillion), then Tol's wine, olive, indigo and grey.
const LIGHT_CLASSES: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(136, 34, 85),
    RGBColor(153, 153, 51),
    RGBColor(51, 34, 136),
    RGBColor(119, 119, 119),
];

/// The same hues, lighter, for the dark theme.
const DARK_CLASSES: [RGBColor; 10] = [
    RGBColor(60, 160, 235),
    RGBColor(240, 180, 40),
    RGBColor(0, 190, 140),
    RGBColor(225, 150, 195),
    RGBColor(120, 200, 245),
    RGBColor(240, 120, 40),
    RGBColor(205, 95, 150),
    RGBColor(195, 195, 90),
    RGBColor(140, 125, 235),
    RGBColor(175, 175, 175),
];

impl Style {
    /// The light theme at `scale` device pixels per CSS pixel.
    pub fn light(scale: f64) -> Style {
        Style {
            scale: sanitize_scale(scale),
            background: RGBColor(255, 255, 255),
            foreground: RGBColor(28, 30, 36),
            muted: RGBColor(110, 116, 128),
            svm: RGBColor(213, 94, 0),
            disagreement: RGBColor(120, 0, 160),
            classes: LIGHT_CLASSES,
            font: "sans-serif",
        }
    }

    /// The dark theme at `scale` device pixels per CSS pixel.
    pub fn dark(scale: f64) -> Style {
        Style {
            background: RGBColor(22, 24, 30),
            foreground: RGBColor(232, 234, 240),
            muted: RGBColor(150, 156, 170),
            svm: RGBColor(255, 140, 60),
            disagreement: RGBColor(230, 120, 255),
            classes: DARK_CLASSES,
            ..Style::light(scale)
        }
    }

    /// A length of `css` CSS pixels in device pixels.
    pub fn px(&self, css: f64) -> u32 {
        (css * self.scale).round().max(1.0) as u32
    }

    /// The colour of class `k`.
    pub fn class(&self, k: usize) -> RGBColor {
        self.classes[k % self.classes.len()]
    }

    /// Text in the foreground colour at `css_size` CSS pixels.
    pub fn text(&self, css_size: f64) -> TextStyle<'static> {
        (self.font, css_size * self.scale).into_font().color(&self.foreground)
    }

    /// Text in the muted colour.
    pub fn muted_text(&self, css_size: f64) -> TextStyle<'static> {
        (self.font, css_size * self.scale).into_font().color(&self.muted)
    }
}

fn sanitize_scale(scale: f64) -> f64 {
    if scale.is_finite() {
        scale.clamp(0.5, 4.0)
    } else {
        1.0
    }
}
