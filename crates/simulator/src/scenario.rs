//! The simulated organization: projects, keys, and the usage of every (key, model, batch, tier)
//! stream per minute, as a pure function of the seed and the minute.
//!
//! A minute's usage comes from one splitmix64 hash of (seed, stream, minute), scaled by a gentle
//! daily wave and by any burst, so a past minute never changes and larger buckets are exactly the
//! sum of their minutes. Only the current minute moves: it counts pro rata of its elapsed seconds.

use super::org::{
    BATCH_KEY, DEMO_USER, OTHER_KEY, OTHER_PROJECT, OTHER_USER, ProjectInfo, projects,
};
use super::{BurstSchedule, DEMO_KEY_ID, DEMO_PROJECT_ID, SimConfig};

/// One source of usage: a key calling one model in one (batch, service tier) mode.
pub(crate) struct Stream {
    pub project: String,
    pub key: String,
    pub user: Option<String>,
    pub model: String,
    pub batch: bool,
    pub tier: &'static str,
    id: u64,
    pub tracked: bool,
    /// Grows most during a burst, so "the model that grew most" has an answer.
    burst_leader: bool,
    req_per_min: f64,
    tokens_per_req: f64,
    output_share: f64,
    cached_share: f64,
    cache_write_share: f64,
    image_share: f64,
    /// The share of each of input, cached input and output that is audio (realtime and audio
    /// models).
    audio_share: f64,
}

/// Token and request counts, split the way the API reports them. Totals are derived, so the
/// identities (input = cached + cache write + uncached, uncached = text + audio + image) hold
/// after any sum or scaling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub requests: u64,
    pub in_text: u64,
    pub in_audio: u64,
    pub in_image: u64,
    pub cached_text: u64,
    pub cached_audio: u64,
    pub cached_image: u64,
    pub cache_write: u64,
    pub out_text: u64,
    pub out_audio: u64,
    pub out_image: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.requests += o.requests;
        self.in_text += o.in_text;
        self.in_audio += o.in_audio;
        self.in_image += o.in_image;
        self.cached_text += o.cached_text;
        self.cached_audio += o.cached_audio;
        self.cached_image += o.cached_image;
        self.cache_write += o.cache_write;
        self.out_text += o.out_text;
        self.out_audio += o.out_audio;
        self.out_image += o.out_image;
    }

    /// Each component × num / den, rounded down; requests rounded up, so that a started
    /// request is counted as soon as any of its tokens are.
    pub fn scaled(&self, num: u64, den: u64) -> Counts {
        let s = |v: u64| v * num / den;
        Counts {
            requests: (self.requests * num).div_ceil(den),
            in_text: s(self.in_text),
            in_audio: s(self.in_audio),
            in_image: s(self.in_image),
            cached_text: s(self.cached_text),
            cached_audio: s(self.cached_audio),
            cached_image: s(self.cached_image),
            cache_write: s(self.cache_write),
            out_text: s(self.out_text),
            out_audio: s(self.out_audio),
            out_image: s(self.out_image),
        }
    }

    pub fn uncached(&self) -> u64 {
        self.in_text + self.in_audio + self.in_image
    }
    pub fn cached(&self) -> u64 {
        self.cached_text + self.cached_audio + self.cached_image
    }
    pub fn input(&self) -> u64 {
        self.uncached() + self.cached() + self.cache_write
    }
    pub fn output(&self) -> u64 {
        self.out_text + self.out_audio + self.out_image
    }
    pub fn is_zero(&self) -> bool {
        self.requests == 0 && self.input() == 0 && self.output() == 0
    }
}

/// A burst started at run time: minutes `[start, end)` since the epoch, × `factor`, on one
/// usage endpoint (as in its path) or on all of them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ManualBurst {
    pub start_minute: i64,
    pub end_minute: i64,
    pub factor: f64,
    pub endpoint: Option<String>,
}

/// Usage added at run time to a minute that may already be over (it reached the API late).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LateUsage {
    /// The usage endpoint, as in its path (`completions`, `images`, ...).
    pub endpoint: String,
    /// The tracked key's model it lands on (file search: the vector store).
    pub model: String,
    /// Minutes since the epoch.
    pub minute: i64,
    /// Completions: uncached text input tokens; otherwise the endpoint's quantity.
    pub quantity: u64,
    pub requests: u64,
}

pub(crate) struct Scenario {
    pub seed: u64,
    pub projects: Vec<ProjectInfo>,
    pub streams: Vec<Stream>,
    /// Every other endpoint's usage.
    pub meters: Vec<super::other::MeterStream>,
    bursts: BurstSchedule,
    /// What this organization's project and key ids end with (`SimConfig::id_suffix`).
    id_suffix: String,
}

pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(crate) fn hash_str(seed: u64, s: &str) -> u64 {
    s.bytes()
        .fold(splitmix64(seed), |h, b| splitmix64(h ^ u64::from(b)))
}

/// (batch, tier, requests/min, tokens/request, output share, cached share, cache-write share,
/// image share) of one stream.
type Profile = (bool, &'static str, f64, f64, f64, f64, f64, f64);

/// The tracked key: ≈ 14 requests and ≈ 3,300 tokens a minute on average. Besides models the
/// app's table prices, a model no public list has (the bill is the only place its price
/// appears) and a service tier the app does not know (`ultrafast`), both billed.
#[rustfmt::skip]
const TRACKED_MIX: [(&str, Profile); 10] = [
    ("gpt-4o-2024-08-06",                      (false, "default",  2.5, 320.0, 0.30, 0.35, 0.0,  0.08)),
    ("gpt-4o-mini-2024-07-18",                 (false, "default",  4.0, 160.0, 0.25, 0.50, 0.0,  0.0)),
    ("gpt-4o-mini-2024-07-18",                 (true,  "default",  1.0, 350.0, 0.40, 0.0,  0.0,  0.0)),
    ("gpt-5-mini-2025-08-07",                  (false, "default",  2.0, 220.0, 0.45, 0.40, 0.02, 0.0)),
    ("gpt-5-mini-2025-08-07",                  (false, "flex",     1.0, 260.0, 0.45, 0.30, 0.0,  0.0)),
    ("o4-mini-2025-04-16",                     (false, "priority", 1.0, 220.0, 0.50, 0.20, 0.0,  0.0)),
    ("gpt-4.1-2025-04-14",                     (true,  "default",  0.5, 440.0, 0.35, 0.0,  0.0,  0.0)),
    ("ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ", (false, "default",  1.0, 140.0, 0.30, 0.10, 0.0,  0.0)),
    (super::bill_prices::UNKNOWN_MODEL,        (false, "default",  0.5, 300.0, 0.40, 0.20, 0.0,  0.0)),
    ("gpt-5-mini-2025-08-07",                  (false, "ultrafast", 0.5, 240.0, 0.45, 0.30, 0.0, 0.0)),
];
/// Realtime and audio models of the tracked key, whose tokens are mostly audio:
/// (model, profile, audio share).
#[rustfmt::skip]
const AUDIO_MIX: [(&str, Profile, f64); 2] = [
    ("gpt-4o-realtime-preview-2024-12-17", (false, "default", 0.5, 600.0, 0.40, 0.20, 0.0, 0.0), 0.7),
    ("gpt-4o-mini-audio-preview-2024-12-17", (false, "default", 0.5, 300.0, 0.50, 0.0, 0.0, 0.0), 0.6),
];
/// Each of the `extra_models`: ≈ 1 request and 40 tokens a minute.
const EXTRA_MODEL: Profile = (false, "default", 1.0, 40.0, 0.30, 0.20, 0.0, 0.0);
/// The tracked key's model that grows most during a burst.
pub(crate) const BURST_LEADER: &str = "gpt-4o-2024-08-06";

/// The other keys: enough usage (the other team alone ≈ 38,000 tokens/min) that a client which
/// forgets the `api_key_ids` filter sees an obvious spike.
#[rustfmt::skip]
const OTHER_MIX: [(&str, &str, Option<&str>, &str, Profile); 5] = [
    (DEMO_PROJECT_ID, BATCH_KEY, None, "gpt-4o-mini-2024-07-18", (true, "default", 6.0, 800.0, 0.40, 0.0, 0.0, 0.0)),
    (DEMO_PROJECT_ID, BATCH_KEY, None, "gpt-4.1-2025-04-14", (true, "default", 1.0, 2000.0, 0.35, 0.0, 0.0, 0.0)),
    (OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "gpt-4o-2024-08-06", (false, "default", 20.0, 1500.0, 0.30, 0.40, 0.0, 0.0)),
    (OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "gpt-5-mini-2025-08-07", (false, "default", 10.0, 500.0, 0.45, 0.30, 0.0, 0.0)),
    (OTHER_PROJECT, OTHER_KEY, Some(OTHER_USER), "o4-mini-2025-04-16", (false, "priority", 2.0, 400.0, 0.50, 0.20, 0.0, 0.0)),
];

impl Scenario {
    pub fn new(config: &SimConfig) -> Scenario {
        let seed = config.seed;
        let mut streams = Vec::new();
        let mut push = |project: &str,
                        key: &str,
                        user: Option<&str>,
                        model: &str,
                        p: Profile,
                        audio_share: f64| {
            let (batch, tier, rpm, tpr, out, cached, write, image) = p;
            let name = format!("{key}|{model}|{batch}|{tier}");
            streams.push(Stream {
                project: project.to_owned(),
                key: key.to_owned(),
                user: user.map(str::to_owned),
                model: model.to_owned(),
                batch,
                tier,
                id: hash_str(seed, &name),
                tracked: key == DEMO_KEY_ID,
                burst_leader: key == DEMO_KEY_ID && model == BURST_LEADER && !batch,
                req_per_min: rpm,
                tokens_per_req: tpr,
                output_share: out,
                cached_share: cached,
                cache_write_share: write,
                image_share: image,
                audio_share,
            });
        };
        for (model, p) in TRACKED_MIX {
            push(DEMO_PROJECT_ID, DEMO_KEY_ID, Some(DEMO_USER), model, p, 0.0);
        }
        for (model, p, audio) in AUDIO_MIX {
            push(
                DEMO_PROJECT_ID,
                DEMO_KEY_ID,
                Some(DEMO_USER),
                model,
                p,
                audio,
            );
        }
        for i in 1..=config.extra_models {
            let model = format!("sim-model-{i:02}-2025-01-01");
            push(
                DEMO_PROJECT_ID,
                DEMO_KEY_ID,
                Some(DEMO_USER),
                &model,
                EXTRA_MODEL,
                0.0,
            );
        }
        for (project, key, user, model, p) in OTHER_MIX {
            push(project, key, user, model, p, 0.0);
        }
        let mut scenario = Scenario {
            seed,
            projects: projects(seed, config.extra_projects),
            streams,
            meters: super::other::streams(seed),
            bursts: config.bursts,
            id_suffix: config.id_suffix(),
        };
        scenario.suffix_ids();
        scenario
    }

    /// `id` as this organization names it (see [`SimConfig::organization`]).
    pub fn own_id(&self, id: &str) -> String {
        format!("{id}{}", self.id_suffix)
    }

    /// Gives another organization its own project and key ids (after the streams are seeded
    /// and the tracked key marked, so only the names change).
    fn suffix_ids(&mut self) {
        if self.id_suffix.is_empty() {
            return;
        }
        for p in &mut self.projects {
            p.id = format!("{}{}", p.id, self.id_suffix);
            for k in &mut p.keys {
                k.id = format!("{}{}", k.id, self.id_suffix);
            }
        }
        for s in &mut self.streams {
            s.project = format!("{}{}", s.project, self.id_suffix);
            s.key = format!("{}{}", s.key, self.id_suffix);
        }
        // The meters name ids as `&'static str` (their table is a constant): the few distinct
        // suffixed ids are leaked once per simulated organization.
        let mut leaked = std::collections::BTreeMap::<&'static str, &'static str>::new();
        let suffix = self.id_suffix.clone();
        let mut own = |id: &'static str| -> &'static str {
            leaked
                .entry(id)
                .or_insert_with(|| Box::leak(format!("{id}{suffix}").into_boxed_str()))
        };
        for m in &mut self.meters {
            m.project = own(m.project);
            m.key = own(m.key);
        }
    }

    /// The burst multiplier of the tracked key on `endpoint` in `minute` (1.0 when there is
    /// none). Periodic bursts are on every endpoint.
    pub fn burst_factor(&self, endpoint: &str, minute: i64, manual: &[ManualBurst]) -> f64 {
        let mut f: f64 = 1.0;
        if let BurstSchedule::Periodic {
            every_minutes,
            length_minutes,
            factor,
        } = self.bursts
            && every_minutes > 0
            && minute.rem_euclid(i64::from(every_minutes)) < i64::from(length_minutes)
        {
            f = f.max(factor);
        }
        for b in manual {
            if (b.start_minute..b.end_minute).contains(&minute)
                && b.endpoint.as_deref().is_none_or(|e| e == endpoint)
            {
                f = f.max(b.factor);
            }
        }
        f
    }

    /// The usage of `stream` in `minute`, in full (as if the minute were over).
    /// `wave` is [`daily_wave`] of the minute, `burst` the tracked key's burst factor.
    pub fn minute_counts(&self, stream: &Stream, minute: i64, wave: f64, burst: f64) -> Counts {
        let h =
            splitmix64(self.seed ^ stream.id ^ (minute as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let u = |i: u32| ((h >> (16 * i)) & 0xFFFF) as f64 / 65536.0;
        // During a burst the leading model takes twice the factor and the others half of it,
        // so the key's total grows by roughly the factor and one model clearly leads.
        let mult = if !stream.tracked || burst <= 1.0 {
            1.0
        } else if stream.burst_leader {
            burst * 2.0
        } else {
            (burst / 2.0).max(1.0)
        };
        let rate = stream.req_per_min * wave * mult * (0.7 + 0.6 * u(0));
        let requests = (rate + u(1)).floor() as u64;
        if requests == 0 {
            return Counts::default();
        }
        let total = (requests as f64 * stream.tokens_per_req * (0.75 + 0.5 * u(2))) as u64;
        let output = (total as f64 * stream.output_share) as u64;
        let input = total - output;
        let cached = ((input as f64 * stream.cached_share * (0.5 + u(3))) as u64).min(input);
        let cache_write = ((input as f64 * stream.cache_write_share) as u64).min(input - cached);
        let uncached = input - cached - cache_write;
        let in_image = (uncached as f64 * stream.image_share) as u64;
        let cached_image = (cached as f64 * stream.image_share) as u64;
        let audio = |n: u64, taken: u64| ((n as f64 * stream.audio_share) as u64).min(n - taken);
        let in_audio = audio(uncached, in_image);
        let cached_audio = audio(cached, cached_image);
        let out_audio = audio(output, 0);
        Counts {
            requests,
            in_text: uncached - in_image - in_audio,
            in_audio,
            in_image,
            cached_text: cached - cached_image - cached_audio,
            cached_audio,
            cached_image,
            cache_write,
            out_text: output - out_audio,
            out_audio,
            out_image: 0,
        }
    }
}

/// 0.8 at 04:00 UTC, 1.2 at 16:00 UTC.
pub(crate) fn daily_wave(minute: i64) -> f64 {
    let day_fraction = minute.rem_euclid(1440) as f64 / 1440.0;
    1.0 - 0.2 * ((day_fraction - 1.0 / 6.0) * std::f64::consts::TAU).cos()
}
