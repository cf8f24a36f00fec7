"""The words the sample feeds are made of: names, categories with their variant spellings,
title and sentence templates about real-time video."""

# Curly quotes and dashes are deliberate: real feeds carry them.
# ruff: noqa: RUF001

from __future__ import annotations

FIRST_NAMES = ("Dana", "Tomer", "Maya", "Arjun", "Lena", "Kofi", "Ines", "Ravi", "Noa", "Felix")
LAST_NAMES = ("Okafor", "Levin", "Marquez", "Halvorsen", "Iyer", "Brandt", "Sato", "Novak")
# Canonical spelling first, then variants that normalize to the same slug.
CATEGORIES: tuple[tuple[str, ...], ...] = (
    ("WebRTC", "webrtc"),
    ("Video Conferencing", "video  conferencing", "Video conferencing"),
    ("Q&A", "q&a"),
    ("CPaaS", "cpaas"),
    ("Live Streaming", "live streaming"),
    ("Video Codecs", "video codecs"),
    ("SFU",),
    ("TURN Servers",),
    ("Simulcast",),
    ("AV1", "av1"),
    ("WHIP",),
    ("Machine Learning", "machine learning"),
    ("Telehealth",),
    ("Contact Center", "Contact center"),
    ("Open Source",),
    ("Networking",),
    ("Pricing",),
    ("Programmable Video",),
    ("Messaging",),
    ("Market Analysis",),
)
TECH = (
    "SFU",
    "MCU",
    "TURN",
    "simulcast",
    "SVC",
    "AV1",
    "VP9",
    "H.264",
    "Opus",
    "WHIP",
    "WHEP",
    "ICE restarts",
    "bandwidth estimation",
    "Insertable Streams",
    "WebTransport",
    "WebCodecs",
    "noise suppression",
    "jitter buffers",
    "CPaaS",
)
APPS = (
    "video conferencing",
    "live streaming",
    "telehealth visits",
    "contact centers",
    "cloud gaming",
    "AI voice agents",
    "webinars",
    "in-app calling",
    "remote production",
    "video surveillance",
)
AUDIENCES = ("product managers", "developers", "CTOs", "startups", "enterprise buyers", "vendors")
TITLES = (
    "{Tech} in {year}: what’s changed and what hasn’t",
    "Why “{tech}” isn’t the answer for {app}",
    "{Tech} vs {tech2} – which one should you pick?",
    "The state of {app} — {year} edition",
    "How to scale {app} with {tech}",
    "{n} lessons from building {app} 🚀",
    "Is {tech} ready for {app}? 📈",
    "WebRTC Q&A: ‘Do I need {tech} for {app}?’",
    "{Tech} explained — a practical guide for {audience}",
    "CPaaS pricing and {tech}: the hidden costs of {app}",
    "Video quality in {app} 🎥 – where {tech} fits",
    "What {audience} get wrong about {tech}",
)
SENTENCES = (
    "{Tech} keeps coming up in conversations with {audience} building {app}.",
    "The short answer is that it depends on your latency budget and on the number of users.",
    "Most vendors offer {tech} out of the box, but the defaults are rarely right in production.",
    "If you are running {app}, {tech} affects both media quality and your cloud bill.",
    "I’ve seen teams spend months tuning {tech} only to find the bottleneck was elsewhere.",
    "Browsers ship changes every four weeks, so what works today needs monitoring tomorrow.",
    "Measure first: packet loss, round-trip time and CPU use tell you more than any benchmark.",
    "For {audience}, the real question around {tech} is build versus buy.",
    "Over the past {n} years {app} moved from a niche to a commodity.",
    "{Tech} is not magic – it is a trade-off between latency, quality and cost.",
)
H2 = ("Where we are today", "What changed this year", "The options on the table", "What next?")
H3 = ("A quick comparison", "Things to watch", "Steps to get started", "The fine print")
STEPS = (
    "Define the {app} use case and its latency budget",
    "Pick a {tech} strategy that fits your scale",
    "Deploy TURN servers close to your users",
    "Monitor quality metrics from day one",
    "Revisit the architecture every year",
)
LATENCY = ("< 200 ms", "200–500 ms", "1–3 s")
TRAITS = ("still misunderstood", "worth testing early", "needs server support", "costly at scale")
