"""The default aftercare sheet handed over after each session, in English and Hindi.

Sources: the source article's aftercare (tender for a few hours; no hair wash for a day; diet with
iron, zinc and protein; no tight hairstyles; weekly scalp cleansing; sleep, hydration, stress;
limit heat and chemical styling; domain.md §1), the side effects seen in the literature that a
patient must call about (infection weeks later, allergic reaction, patchy hair loss: domain.md §2).
Clinics edit their own copy; these are the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AftercareSheet:
    language: str
    title: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]


ENGLISH = AftercareSheet(
    "en",
    "After your scalp mesotherapy session",
    (
        ("What to expect", (
            "Your scalp may feel tender and look red for a few hours.",
            "Small pinpoint bruises or bumps can appear; they usually settle within 24 to 48 hours.",
            "A mild headache the same day is possible.",
        )),
        ("For the next 24 hours", (
            "Do not wash your hair for one day.",
            "Avoid hair products, hair colour, swimming pools, steam rooms and heavy exercise.",
            "Do not scratch or massage the treated area; keep hands, caps and pillows clean.",
        )),
        ("Call the clinic straight away if", (
            "redness, swelling, pain or pus increases after the first two days;",
            "you have a fever, or lumps or sores appear at injection points, even weeks later;",
            "you notice hives, swelling of the face or difficulty breathing (go to an emergency department);",
            "you see a new bald patch.",
        )),
        ("Helping your hair between sessions", (
            "Eat enough protein, iron and zinc (dal, eggs, leafy greens, nuts and seeds).",
            "Avoid tight hairstyles, and limit heat styling and chemical treatments.",
            "Cleanse the scalp gently once a week; sleep well, drink water, and manage stress.",
            "Keep your next appointment: results are judged over months, not sessions.",
        )),
    ),
)

HINDI = AftercareSheet(
    "hi",
    "स्कैल्प मेसोथेरेपी सत्र के बाद",
    (
        ("क्या उम्मीद करें", (
            "कुछ घंटों तक स्कैल्प में कोमलता और लालिमा रह सकती है।",
            "छोटे-छोटे नील या उभार हो सकते हैं; ये आम तौर पर 24 से 48 घंटों में ठीक हो जाते हैं।",
            "उसी दिन हल्का सिरदर्द हो सकता है।",
        )),
        ("अगले 24 घंटों तक", (
            "एक दिन तक बाल न धोएँ।",
            "हेयर प्रोडक्ट, हेयर कलर, स्विमिंग पूल, स्टीम रूम और भारी व्यायाम से बचें।",
            "इलाज की जगह को न खुजलाएँ और न मालिश करें; हाथ, टोपी और तकिया साफ़ रखें।",
        )),
        ("तुरंत क्लिनिक को फ़ोन करें अगर", (
            "पहले दो दिनों के बाद लालिमा, सूजन, दर्द या मवाद बढ़े;",
            "बुखार हो, या इंजेक्शन की जगहों पर गाँठ या घाव दिखें, हफ़्तों बाद भी;",
            "पित्ती, चेहरे पर सूजन या साँस लेने में कठिनाई हो (आपातकालीन विभाग जाएँ);",
            "कोई नया गंजा धब्बा दिखे।",
        )),
        ("सत्रों के बीच बालों की देखभाल", (
            "पर्याप्त प्रोटीन, आयरन और ज़िंक लें (दाल, अंडे, हरी पत्तेदार सब्ज़ियाँ, मेवे और बीज)।",
            "कसे हुए हेयरस्टाइल से बचें, और हीट स्टाइलिंग व केमिकल ट्रीटमेंट कम करें।",
            "हफ़्ते में एक बार स्कैल्प को हल्के से साफ़ करें; अच्छी नींद लें, पानी पिएँ, तनाव कम करें।",
            "अगली अपॉइंटमेंट न छोड़ें: नतीजे महीनों में आँके जाते हैं, सत्रों में नहीं।",
        )),
    ),
)

DEFAULT_SHEETS: dict[str, AftercareSheet] = {"en": ENGLISH, "hi": HINDI}


def sheet_as_text(sheet: AftercareSheet) -> str:
    """Plain text for editing: '## heading' lines, then one '- ' line per point."""
    lines = []
    for heading, points in sheet.sections:
        lines.append(f"## {heading}")
        lines.extend(f"- {point}" for point in points)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def sheet_from_text(language: str, title: str, text: str) -> AftercareSheet:
    sections: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif line.startswith("- ") and sections:
            sections[-1][1].append(line[2:].strip())
        elif line and sections:
            sections[-1][1].append(line)
    return AftercareSheet(language, title, tuple((h, tuple(p)) for h, p in sections if h))
