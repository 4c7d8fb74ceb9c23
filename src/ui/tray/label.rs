//! The title's figures drawn into the icon, for tray hosts that show a StatusNotifierItem's
//! icon and not its label (Xfce's StatusNotifier plugin, KDE Plasma). Such a host fits the
//! image into a square of the panel's icon size (about 20–24 px; a wider image shrinks to a
//! sliver), so the figures go into a square: one or two short lines ([`panel_lines`]:
//! `5.3M` over `$252`), white on a dark rounded badge (legible on a light or a dark panel), as
//! large as the square allows. A title without figures ("…", "Set admin key…") keeps the
//! artwork.
//!
//! The glyphs are a bitmap strip (`icons/panel-font.png`, 9 kB, with `panel_font.rs` saying
//! where each one is), made from DejaVu Sans Condensed Bold by `scripts/panel-font.sh`: the
//! text is a few characters at one size, so a font rasteriser (ab_glyph or fontdue, and a
//! 700 kB font file) would add a crate and the binary's size for nothing a fixed size needs.
//! Pure, and tested without a desktop; the tray calls it on the UI thread when the title
//! changes.

use super::icon::{Rgba, decode_rgba};
use super::panel_font::{GLYPHS, HEIGHT};
use std::sync::OnceLock;

const FONT_PNG: &[u8] = include_bytes!("../../../icons/panel-font.png");
/// Shown for a character the strip does not have.
const MISSING: char = '?';

/// Each glyph's coverage (0–255), a row of `HEIGHT` rows, decoded once.
struct Font {
    width: u32,
    coverage: Vec<u8>,
}

fn font() -> &'static Font {
    static FONT: OnceLock<Font> = OnceLock::new();
    FONT.get_or_init(|| match decode_rgba(FONT_PNG) {
        Ok(img) if img.height == HEIGHT => Font {
            width: img.width,
            coverage: img.pixels.chunks_exact(4).map(|p| p[0]).collect(),
        },
        // Embedded and checked by the tests: an empty font draws no text, the icon stays.
        _ => Font {
            width: 0,
            coverage: Vec::new(),
        },
    })
}

fn glyph(c: char) -> Option<(u32, u32)> {
    let find = |c: char| {
        GLYPHS
            .binary_search_by(|g| g.0.cmp(&c))
            .ok()
            .map(|i| (u32::from(GLYPHS[i].1), u32::from(GLYPHS[i].2)))
    };
    find(c).or_else(|| find(MISSING))
}

/// The text's width in pixels.
pub fn text_width(text: &str) -> u32 {
    text.chars().filter_map(glyph).map(|(_, w)| w).sum()
}

/// The side of the square image (the host scales it down to its icon size).
pub const SIDE: u32 = 44;

/// `$252.11` → `$252`, `$26.41` → `$26.4`, `$3.40` → `$3.40`, `$0.45` → `$.45`, `$1,234.50` →
/// `$1.2k`: at most five characters, what a square of the panel shows legibly. Other words
/// are kept as they are.
pub fn compact(word: &str) -> String {
    let Some(number) = word.strip_prefix('$') else {
        return word.to_owned();
    };
    let plus = if number.ends_with('+') { "+" } else { "" };
    let Ok(v) = number.trim_end_matches('+').replace(',', "").parse::<f64>() else {
        return word.to_owned();
    };
    let text = if v >= 99_950.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 999.5 {
        format!("{:.1}k", v / 1000.0)
    } else if v >= 99.95 {
        format!("{v:.0}")
    } else if v >= 9.995 {
        format!("{v:.1}")
    } else if v >= 0.995 {
        format!("{v:.2}")
    } else {
        format!("{v:.2}").trim_start_matches('0').to_owned()
    };
    format!("${text}{plus}")
}

/// The lines drawn into the icon for `title`: its parts (split at ` · `) made compact, the
/// marks (`⚠`, `◷`, `⚡`) before the first; none when the title has no figures.
pub fn panel_lines(title: &str) -> Vec<String> {
    if !title.chars().any(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    let mut marks = String::new();
    let mut rest = title.trim();
    while let Some(c) = rest.chars().next().filter(|c| "⚠◷⚡".contains(*c)) {
        marks.push(c);
        rest = rest[c.len_utf8()..].trim_start();
    }
    let mut lines: Vec<String> = rest
        .split(" · ")
        .map(|part| part.split(' ').map(compact).collect::<Vec<_>>().join(" "))
        .collect();
    // `MTD $20.00`: the words over the figure.
    if lines.len() == 1
        && let Some((word, figure)) = lines[0].clone().split_once(' ')
    {
        lines = vec![word.to_owned(), figure.to_owned()];
    }
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, &marks);
    }
    lines
}

/// Coverage (0–255) of `lines` drawn one under the other, each centred, in a `width` ×
/// `height` block.
fn draw_lines(lines: &[String]) -> (u32, u32, Vec<u8>) {
    let font = font();
    let width = lines
        .iter()
        .map(|l| text_width(l))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = HEIGHT * lines.len() as u32;
    let mut cover = vec![0u8; (width * height) as usize];
    for (i, line) in lines.iter().enumerate() {
        let mut x = (width - text_width(line)) / 2;
        let top = HEIGHT * i as u32;
        for (gx, gw) in line.chars().filter_map(glyph) {
            for row in 0..HEIGHT {
                for col in 0..gw {
                    let src = (row * font.width + gx + col) as usize;
                    let v = font.coverage.get(src).copied().unwrap_or(0);
                    cover[((top + row) * width + x + col) as usize] = v;
                }
            }
            x += gw;
        }
    }
    (width, height, cover)
}

/// The icon for `title`: its figures in a [`SIDE`]-pixel square, or the artwork when it has
/// none.
pub fn panel_icon(artwork: &Rgba, title: &str) -> Rgba {
    let lines = panel_lines(title);
    if lines.is_empty() {
        return Rgba {
            width: artwork.width,
            height: artwork.height,
            pixels: artwork.pixels.clone(),
        };
    }
    let (bw, bh, block) = draw_lines(&lines);
    // Scaled to fit inside the badge less a margin, never enlarged;
    // each target pixel averages the block's pixels it covers (a box filter).
    let room = f64::from(SIDE - 4);
    let scale = (room / f64::from(bw)).min(room / f64::from(bh)).min(1.0);
    let (tw, th) = (
        ((f64::from(bw) * scale).round() as u32).max(1),
        ((f64::from(bh) * scale).round() as u32).max(1),
    );
    let (ox, oy) = ((SIDE - tw) / 2, (SIDE - th) / 2);
    let mut cover = vec![0u8; (SIDE * SIDE) as usize];
    for y in 0..th {
        let (y0, y1) = (
            (f64::from(y) / scale) as u32,
            ((f64::from(y + 1) / scale).ceil() as u32).min(bh),
        );
        for x in 0..tw {
            let (x0, x1) = (
                (f64::from(x) / scale) as u32,
                ((f64::from(x + 1) / scale).ceil() as u32).min(bw),
            );
            let (mut sum, mut n) = (0u32, 0u32);
            for sy in y0..y1.max(y0 + 1) {
                for sx in x0..x1.max(x0 + 1) {
                    sum += u32::from(block[(sy * bw + sx) as usize]);
                    n += 1;
                }
            }
            cover[((oy + y) * SIDE + ox + x) as usize] = (sum / n.max(1)) as u8;
        }
    }
    Rgba {
        width: SIDE,
        height: SIDE,
        pixels: badge(&cover, SIDE),
    }
}

/// White text on a dark rounded badge filling the square: legible on a light or a dark panel
/// (white text with a dark outline blurred into grey at the panel's 20 px).
fn badge(cover: &[u8], side: u32) -> Vec<u8> {
    const BADGE: [u8; 3] = [32, 32, 32];
    let radius = f64::from(side) / 6.0;
    let mut pixels = vec![0u8; (side * side * 4) as usize];
    for y in 0..side {
        for x in 0..side {
            // Distance outside the rounded corner (0 inside), for a soft edge.
            let corner = |v: u32| {
                let c = f64::from(v) + 0.5;
                let far = f64::from(side) - radius;
                if c < radius {
                    radius - c
                } else if c > far {
                    c - far
                } else {
                    0.0
                }
            };
            let (dx, dy) = (corner(x), corner(y));
            let out = (dx * dx + dy * dy).sqrt() - radius;
            let bg = if dx > 0.0 && dy > 0.0 {
                (0.5 - out).clamp(0.0, 1.0)
            } else {
                1.0
            } * 0.92;
            let text = f64::from(cover[(y * side + x) as usize]) / 255.0;
            let a = text + bg * (1.0 - text);
            if a <= 0.0 {
                continue;
            }
            let mix = |b: u8| ((255.0 * text + f64::from(b) * bg * (1.0 - text)) / a).round() as u8;
            let i = ((y * side + x) * 4) as usize;
            pixels[i..i + 4].copy_from_slice(&[
                mix(BADGE[0]),
                mix(BADGE[1]),
                mix(BADGE[2]),
                (a * 255.0).round() as u8,
            ]);
        }
    }
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icon() -> Rgba {
        super::super::icon::template_rgba().unwrap()
    }

    #[test]
    fn the_strip_has_every_glyph_the_generated_table_says() {
        let f = font();
        let (last, x, w) = GLYPHS[GLYPHS.len() - 1];
        assert_eq!(f.width, u32::from(x) + u32::from(w), "ends at {last:?}");
        assert!(GLYPHS.windows(2).all(|p| p[0].0 < p[1].0), "sorted by char");
        for c in "0123456789$.,·…—+MkB ⚠◷⚡MTD".chars() {
            assert!(GLYPHS.iter().any(|g| g.0 == c), "{c:?} missing");
        }
    }

    #[test]
    fn figures_are_compact_enough_for_a_square() {
        assert_eq!(compact("$252.11"), "$252");
        assert_eq!(compact("$26.41"), "$26.4");
        assert_eq!(compact("$3.40"), "$3.40");
        assert_eq!(compact("$0.45"), "$.45");
        assert_eq!(compact("$1,234.50"), "$1.2k");
        assert_eq!(compact("$123,456.00"), "$123k");
        assert_eq!(compact("$3.40+"), "$3.40+");
        assert_eq!(compact("5.3M"), "5.3M");
        assert_eq!(panel_lines("5.3M · $252.11"), ["5.3M", "$252"]);
        assert_eq!(panel_lines("$252.11"), ["$252"]);
        assert_eq!(panel_lines("⚠ ⚡ 5.3M · $252.11"), ["⚠⚡5.3M", "$252"]);
        assert_eq!(panel_lines("MTD $20.00"), ["MTD", "$20.0"]);
        assert!(panel_lines("…").is_empty());
        assert!(panel_lines("Set admin key…").is_empty());
    }

    /// Pixels near white and opaque: the text.
    fn white(px: &[u8]) -> usize {
        px.chunks(4).filter(|p| p[3] > 200 && p[0] > 200).count()
    }

    #[test]
    fn the_figures_are_white_on_a_dark_square_badge() {
        let art = icon();
        let img = panel_icon(&art, "5.3M · $252.11");
        assert_eq!((img.width, img.height), (SIDE, SIDE));
        assert_eq!(img.pixels.len(), (SIDE * SIDE * 4) as usize);
        let text = white(&img.pixels);
        assert!(text > 150, "{text} white pixels");
        let dark = img
            .pixels
            .chunks(4)
            .filter(|p| p[3] > 200 && p[0] < 60)
            .count();
        assert!(dark > (SIDE * SIDE / 2) as usize, "{dark} badge pixels");
        // Rounded: the corners are transparent, the edges' middles are not.
        assert!(img.pixels[3] < 100, "corner alpha {}", img.pixels[3]);
        assert!(img.pixels[(SIDE / 2 * 4 + 3) as usize] > 200);
        // Two lines: text in the top half and in the bottom half.
        let half = (SIDE * SIDE * 2) as usize;
        assert!(white(&img.pixels[..half]) > 50);
        assert!(white(&img.pixels[half..]) > 50);
    }

    #[test]
    fn other_figures_draw_other_pixels_and_no_figures_keep_the_artwork() {
        let art = icon();
        let a = panel_icon(&art, "5.3M · $252.11");
        let b = panel_icon(&art, "5.3M · $262.11");
        assert_ne!(a.pixels, b.pixels);
        let plain = panel_icon(&art, "…");
        assert_eq!((plain.width, plain.pixels), (art.width, art.pixels.clone()));
        // A wide line is scaled to fit, not cut.
        let wide = panel_icon(&art, "⚠ ◷ ⚡ 123.4M · $123,456.00");
        assert_eq!(wide.width, SIDE);
        let lit = wide
            .pixels
            .chunks(4)
            .filter(|p| p[3] > 200 && p[0] > 120)
            .count();
        assert!(lit > 50, "{lit} text pixels");
    }

    #[test]
    fn unknown_characters_draw_as_a_question_mark() {
        assert_eq!(text_width("€"), text_width("?"));
    }
}
