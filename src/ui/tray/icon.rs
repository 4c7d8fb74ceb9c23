//! The menu-bar icon: the artwork `icons/tray-template@2x.png` (36 px, black and alpha), embedded
//! in the binary and decoded once when the tray is built. macOS draws it as a template (tinted
//! for light and dark bars); that flag is set where the tray is built. Runs on the UI thread.

use png::{BitDepth, ColorType, Decoder, Transformations};
use tray_icon::Icon;

const TEMPLATE_PNG: &[u8] = include_bytes!("../../../icons/tray-template@2x.png");

/// An image as 8-bit RGBA rows, top to bottom.
#[derive(Debug)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Decodes a PNG of any color type (palette, gray, gray + alpha, RGB, RGBA; 1–16 bits) to
/// 8-bit RGBA.
pub fn decode_rgba(png_bytes: &[u8]) -> Result<Rgba, String> {
    let mut decoder = Decoder::new(std::io::Cursor::new(png_bytes));
    // Palettes and tRNS become color and alpha, low bit depths widen and 16 bits narrow to 8.
    decoder.set_transformations(Transformations::normalize_to_color8() | Transformations::ALPHA);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large")?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    if frame.bit_depth != BitDepth::Eight {
        return Err(format!("unexpected {:?} bit output", frame.bit_depth));
    }
    let channels = match frame.color_type {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => return Err("the palette was not expanded".into()),
    };
    let row_bytes = frame.width as usize * channels;
    let mut pixels = Vec::with_capacity(frame.width as usize * frame.height as usize * 4);
    for row in buf.chunks(frame.line_size).take(frame.height as usize) {
        for px in row[..row_bytes].chunks_exact(channels) {
            let rgba = match *px {
                [v] => [v, v, v, u8::MAX],
                [v, a] => [v, v, v, a],
                [r, g, b] => [r, g, b, u8::MAX],
                [r, g, b, a] => [r, g, b, a],
                _ => return Err(format!("{channels} channels")),
            };
            pixels.extend_from_slice(&rgba);
        }
    }
    Ok(Rgba {
        width: frame.width,
        height: frame.height,
        pixels,
    })
}

/// The embedded artwork, decoded.
pub fn template_rgba() -> Result<Rgba, String> {
    decode_rgba(TEMPLATE_PNG).map_err(|e| format!("icons/tray-template@2x.png: {e}"))
}

/// The tray icon, or why there is none (the tray then shows its title only).
#[cfg(test)]
pub fn template_icon() -> Result<Icon, String> {
    icon_of(template_rgba()?)
}

/// An image as a tray icon.
pub fn icon_of(img: Rgba) -> Result<Icon, String> {
    Icon::from_rgba(img.pixels, img.width, img.height).map_err(|e| format!("bad tray icon: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_artwork_is_36_px_black_and_alpha() {
        let img = template_rgba().unwrap();
        assert_eq!((img.width, img.height), (36, 36));
        assert_eq!(img.pixels.len(), 36 * 36 * 4);
        let px: Vec<&[u8]> = img.pixels.chunks(4).collect();
        assert!(px.iter().filter(|p| p[3] > 0).all(|p| p[..3] == [0, 0, 0]));
        assert!(px.iter().any(|p| p[3] == 0), "no transparent pixels");
        assert!(px.iter().any(|p| p[3] == 255), "no opaque pixels");
        template_icon().unwrap();
    }

    /// A 2×1 gray + alpha PNG, encoded here: the gray value is copied to r, g and b.
    #[test]
    fn gray_and_alpha_become_rgba() {
        let mut bytes = Vec::new();
        let mut enc = png::Encoder::new(&mut bytes, 2, 1);
        enc.set_color(ColorType::GrayscaleAlpha);
        enc.set_depth(BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[0, 255, 200, 0]).unwrap();
        w.finish().unwrap();
        let img = decode_rgba(&bytes).unwrap();
        assert_eq!(img.pixels, [0, 0, 0, 255, 200, 200, 200, 0]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_rgba(b"not a png").is_err());
    }
}
