//! The menu-bar icon: black and alpha, drawn by macOS as a template (tinted for light and dark
//! bars). The artwork is `icons/tray-template@2x.png` (36 px); decoding it needs the `png` crate
//! as a direct dependency (see NEEDED-DEPS.txt), so until then the same glyph — three rising
//! bars — is drawn here at 36 px.

use tray_icon::Icon;

pub const SIZE: u32 = 36;

/// The icon's pixels, RGBA, `SIZE` × `SIZE`.
pub fn template_rgba() -> Vec<u8> {
    let mut rgba = vec![0u8; (SIZE * SIZE * 4) as usize];
    // Three bars 8 px wide with 4 px gaps, rising left to right, on a 2 px baseline margin.
    let bars = [(4u32, 14u32), (14, 22), (24, 30)];
    for (x0, height) in bars {
        for y in (SIZE - 3 - height)..(SIZE - 3) {
            for x in x0..x0 + 8 {
                let i = ((y * SIZE + x) * 4) as usize;
                rgba[i + 3] = 255;
            }
        }
    }
    rgba
}

pub fn template_icon() -> Result<Icon, String> {
    Icon::from_rgba(template_rgba(), SIZE, SIZE).map_err(|e| format!("bad tray icon: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glyph_is_black_and_alpha_only() {
        let px = template_rgba();
        assert_eq!(px.len(), (SIZE * SIZE * 4) as usize);
        assert!(px.chunks(4).all(|p| p[..3] == [0, 0, 0]));
        let opaque = px.chunks(4).filter(|p| p[3] == 255).count();
        assert_eq!(opaque, 8 * (14 + 22 + 30));
    }
}
