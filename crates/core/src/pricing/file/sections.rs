//! The sections of a price file that are not completions tokens: embeddings, images, speech,
//! transcription and web search.

use super::PricingError;
use super::check::Ctx;
use crate::pricing::units::{ImagePrices, UnitPrice};
use crate::pricing::{PriceTable, Tier};
use std::collections::BTreeMap;
use toml::{Table, Value};

pub(super) fn embeddings_section(
    cx: &Ctx,
    table: &mut PriceTable,
    section: &str,
    model: &str,
    t: &Table,
) -> Result<(), PricingError> {
    let tiers = Tier::ALL.map(Tier::as_str);
    cx.known(t, &tiers, section, Some(model))?;
    let mut by_tier = [None; 4];
    // `Tier::ALL` in column order: entry `i` is column `i` (the tier's `index()`).
    for (slot, tier) in by_tier.iter_mut().zip(Tier::ALL) {
        *slot = cx.opt_price(t, section, model, tier.as_str(), "1M input tokens")?;
    }
    if by_tier.iter().all(Option::is_none) {
        return Err(cx.err(
            section,
            Some(model),
            None,
            "lacks a price; give standard (and batch, flex or priority) in USD per 1M input tokens"
                .into(),
        ));
    }
    table.embeddings.insert(model.to_owned(), by_tier);
    Ok(())
}

pub(super) fn unit_section(
    cx: &Ctx,
    table: &mut PriceTable,
    section: &str,
    model: &str,
    t: &Table,
) -> Result<(), PricingError> {
    let (field, unit, map) = match section {
        "speech" => ("per_1m_characters", "1M characters", &mut table.speech),
        "transcription" => ("per_minute", "minute of audio", &mut table.transcription),
        _ => ("per_1k_calls", "1,000 calls", &mut table.web_search),
    };
    cx.known(t, &[field, "assumption"], section, Some(model))?;
    let usd = cx
        .opt_price(t, section, model, field, unit)?
        .ok_or_else(|| {
            cx.err(
                section,
                Some(model),
                None,
                format!("lacks {field}; add {field} = USD per {unit}"),
            )
        })?;
    let assumption = cx.assumption(t, section, model)?;
    map.insert(
        model.to_owned(),
        UnitPrice {
            usd,
            assumption,
            bill_day: None,
        },
    );
    Ok(())
}

pub(super) fn images_section(
    cx: &Ctx,
    table: &mut PriceTable,
    section: &str,
    model: &str,
    t: &Table,
) -> Result<(), PricingError> {
    cx.known(
        t,
        &["sizes", "quality", "assumed_quality", "assumption"],
        section,
        Some(model),
    )?;
    let sizes = |v: &Value, field: &str| -> Result<BTreeMap<String, f64>, PricingError> {
        let t = v.as_table().ok_or_else(|| {
            cx.err(
                section,
                Some(model),
                Some(field),
                format!("= {v} is not a table; use {{ \"1024x1024\" = USD per image, ... }}"),
            )
        })?;
        let mut out = BTreeMap::new();
        for (size, p) in t {
            out.insert(
                size.clone(),
                cx.price(
                    p,
                    section,
                    Some(model),
                    &format!("{field}.\"{size}\""),
                    "image",
                )?,
            );
        }
        Ok(out)
    };
    let assumed = t
        .get("assumed_quality")
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                cx.err(
                    section,
                    Some(model),
                    Some("assumed_quality"),
                    format!("= {v} is not a quality name"),
                )
            })
        })
        .transpose()?;
    let mut prices = ImagePrices {
        assumption: cx.assumption(t, section, model)?,
        ..ImagePrices::default()
    };
    match (t.get("sizes"), t.get("quality")) {
        (Some(v), None) => {
            if assumed.is_some() {
                return Err(cx.err(
                    section,
                    Some(model),
                    Some("assumed_quality"),
                    "has no quality levels to choose from; drop it or give quality.LEVEL tables"
                        .into(),
                ));
            }
            prices.sizes = sizes(v, "sizes")?;
        }
        (None, Some(v)) => {
            let levels = v.as_table().ok_or_else(|| {
                cx.err(
                    section,
                    Some(model),
                    Some("quality"),
                    format!("= {v} is not a table; use quality.LEVEL = {{ SIZE = USD per image }}"),
                )
            })?;
            let Some(q) = assumed else {
                return Err(cx.err(
                    section,
                    Some(model),
                    None,
                    format!(
                        "lacks assumed_quality; the usage data reports no quality, so add assumed_quality = one of {}",
                        levels.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            };
            for (level, v) in levels {
                let s = sizes(v, &format!("quality.{level}"))?;
                if *level == q {
                    prices.sizes = s.clone();
                }
                prices.qualities.insert(level.clone(), s);
            }
            if !levels.contains_key(&q) {
                return Err(cx.err(
                    section,
                    Some(model),
                    Some("assumed_quality"),
                    format!(
                        "= {q:?} is not one of the quality levels given ({})",
                        levels.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            prices.assumed_quality = Some(q);
        }
        _ => {
            return Err(cx.err(section, Some(model), None, "needs either sizes = { SIZE = USD } or quality.LEVEL = { SIZE = USD } with assumed_quality".into()));
        }
    }
    table.images.insert(model.to_owned(), prices);
    Ok(())
}
