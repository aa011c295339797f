"""The default aftercare sheet handed over after each session, in English, Hindi and Marathi.

Sources: the source article's aftercare (tender for a few hours; no hair wash for a day; diet with
iron, zinc and protein; no tight hairstyles; weekly scalp cleansing; sleep, hydration, stress;
limit heat and chemical styling; domain.md §1), the side effects seen in the literature that a
patient must call about (infection weeks later, allergic reaction, patchy hair loss: domain.md §2).
Clinics edit their own copy; these are the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
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

MARATHI = AftercareSheet(
    "mr",
    "टाळूच्या मेसोथेरपी सत्रानंतर",
    (
        ("काय अपेक्षित आहे", (
            "काही तास टाळू दुखरी वाटू शकते आणि लाल दिसू शकते.",
            "लहान ठिपक्यांसारखे व्रण (नीळ) किंवा उंचवटे येऊ शकतात; ते सहसा 24 ते 48 तासांत कमी होतात.",
            "त्याच दिवशी सौम्य डोकेदुखी होऊ शकते.",
        )),
        ("पुढचे 24 तास", (
            "एक दिवस केस धुऊ नका.",
            "केसांची उत्पादने, केसांचा रंग, जलतरण तलाव, स्टीम रूम आणि जड व्यायाम टाळा.",
            "उपचार केलेली जागा खाजवू नका किंवा तिला मालिश करू नका; हात, टोपी आणि उशी स्वच्छ ठेवा.",
        )),
        ("लगेच क्लिनिकला फोन करा, जर", (
            "पहिल्या दोन दिवसांनंतर लालसरपणा, सूज, वेदना किंवा पू वाढला;",
            "ताप आला, किंवा इंजेक्शनच्या जागी गाठी किंवा जखमा दिसल्या, अगदी आठवड्यांनंतरही;",
            "अंगावर पित्त उठले, चेहऱ्यावर सूज आली किंवा श्वास घ्यायला त्रास झाला (आपत्कालीन विभागात जा);",
            "टक्कल पडलेला नवीन चट्टा दिसला.",
        )),
        ("सत्रांच्या दरम्यान केसांची काळजी", (
            "पुरेशी प्रथिने, लोह आणि जस्त घ्या (डाळ, अंडी, पालेभाज्या, सुका मेवा आणि बिया).",
            "घट्ट केशरचना टाळा, आणि हीट स्टायलिंग व रासायनिक उपचार कमी करा.",
            "आठवड्यातून एकदा टाळू हलक्या हाताने स्वच्छ करा; चांगली झोप घ्या, पाणी प्या आणि ताण कमी ठेवा.",
            "पुढची भेट चुकवू नका: परिणाम सत्रांवरून नव्हे, तर महिन्यांनंतर ठरवले जातात.",
        )),
    ),
)

DEFAULT_SHEETS: dict[str, AftercareSheet] = {"en": ENGLISH, "hi": HINDI, "mr": MARATHI}


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


# --- Issue 17: what a patient given a 5-alpha-reductase inhibitor must know, in every language ---------
#
# Sources: the dutasteride label (Avodart: no blood donation until 6 months after the last dose;
# women who are or may become pregnant must not handle the capsules: risk to a male fetus) and the
# finasteride label (Propecia/Proscar: crushed or broken tablets not handled in pregnancy); blood
# services defer donors 1 month after finasteride and 6 months after dutasteride (American Red
# Cross donor eligibility). Injected dutasteride changed semen analysis (Sobhy 2013, domain.md §2).
# Each language must carry the same points; a test checks that every sheet language has them.

FIVE_ARI_WAIT_MONTHS = {"dutasteride": 6, "finasteride": 1}
"""Months after the last dose without blood donation (and, for a person able to become pregnant,
without conceiving): 6 for dutasteride, 1 for finasteride (labels; blood-service deferral)."""

@dataclass(frozen=True)
class _FiveAriText:
    heading: str
    drug: dict[str, str]
    blood: str
    handling: str
    conception_women: str
    conception_men: str
    month: dict[int, str]


_FIVE_ARI_TEXT: dict[str, _FiveAriText] = {
    "en": _FiveAriText(
        heading="Because your treatment contains {drugs}",
        drug={"dutasteride": "dutasteride", "finasteride": "finasteride"},
        blood="Do not donate blood for {months} after your last {drug} dose: donated blood could reach a pregnant woman.",
        handling="Anyone who is pregnant or may become pregnant must not handle this medicine or its solution, nor touch broken "
                 "tablets or capsules: it can harm a male baby.",
        conception_women="If you could become pregnant: do not become pregnant during the treatment and for {months} after the "
                         "last {drug} dose, and tell the clinic at once if you might be pregnant.",
        conception_men="Men: these medicines can change semen; tell the clinic before you try to conceive.",
        month={1: "1 month", 6: "6 months"},
    ),
    "hi": _FiveAriText(
        heading="क्योंकि आपके इलाज में {drugs} है",
        drug={"dutasteride": "ड्यूटास्टेराइड", "finasteride": "फ़िनास्टेराइड"},
        blood="{drug} की आख़िरी ख़ुराक के बाद {months} तक रक्तदान न करें: दान किया गया रक्त किसी गर्भवती महिला तक पहुँच सकता है।",
        handling="जो गर्भवती है या गर्भवती हो सकती है, वह यह दवा या इसका घोल न छुए, और टूटी गोलियाँ या कैप्सूल न छुए: "
                 "इससे गर्भ में लड़के को नुक़सान हो सकता है।",
        conception_women="अगर आप गर्भवती हो सकती हैं: इलाज के दौरान और {drug} की आख़िरी ख़ुराक के बाद {months} तक गर्भवती न हों, "
                         "और गर्भ की ज़रा भी संभावना हो तो तुरंत क्लिनिक को बताएँ।",
        conception_men="पुरुष: ये दवाएँ वीर्य को बदल सकती हैं; संतान की योजना से पहले क्लिनिक को बताएँ।",
        month={1: "1 महीने", 6: "6 महीने"},
    ),
    "mr": _FiveAriText(
        heading="तुमच्या उपचारात {drugs} असल्यामुळे",
        drug={"dutasteride": "ड्युटास्टेराइड", "finasteride": "फिनास्टेराइड"},
        blood="{drug}च्या शेवटच्या मात्रेनंतर {months} रक्तदान करू नका: दान केलेले रक्त एखाद्या गर्भवती स्त्रीपर्यंत पोहोचू शकते.",
        handling="जी व्यक्ती गर्भवती आहे किंवा गर्भवती होऊ शकते, तिने हे औषध किंवा त्याचे द्रावण हाताळू नये, तसेच फुटलेल्या "
                 "गोळ्या किंवा कॅप्सूलना स्पर्श करू नये: त्यामुळे गर्भातील मुलग्याला इजा होऊ शकते.",
        conception_women="तुम्ही गर्भवती होऊ शकत असाल तर: उपचाराच्या काळात आणि {drug}च्या शेवटच्या मात्रेनंतर {months} गर्भधारणा "
                         "होऊ देऊ नका, आणि गर्भवती असण्याची थोडीही शक्यता वाटल्यास लगेच क्लिनिकला सांगा.",
        conception_men="पुरुष: ही औषधे वीर्यात बदल करू शकतात; मूल होऊ देण्याचा प्रयत्न करण्यापूर्वी क्लिनिकला सांगा.",
        month={1: "1 महिना", 6: "6 महिने"},
    ),
}


def five_ari_section(language: str, drugs: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
    """The aftercare section for the 5-alpha-reductase inhibitors among ``drugs`` (ingredient
    codes), in ``language`` (English when the language has no text), or None when there are none."""
    present = [d for d in ("dutasteride", "finasteride") if d in set(drugs)]
    if not present:
        return None
    text = _FIVE_ARI_TEXT.get(language, _FIVE_ARI_TEXT["en"])
    names = [text.drug[d] for d in present]
    points = []
    for drug in present:
        months = text.month[FIVE_ARI_WAIT_MONTHS[drug]]
        points.append(text.blood.format(months=months, drug=text.drug[drug]))
    points.append(text.handling)
    for drug in present:
        months = text.month[FIVE_ARI_WAIT_MONTHS[drug]]
        points.append(text.conception_women.format(months=months, drug=text.drug[drug]))
    points.append(text.conception_men)
    return text.heading.format(drugs=" + ".join(names)), tuple(points)


def five_ari_languages() -> frozenset[str]:
    return frozenset(_FIVE_ARI_TEXT)


def with_drug_instructions(sheet: AftercareSheet, drugs: Iterable[str]) -> AftercareSheet:
    """The sheet with the 5-ARI section first when the formulation holds a 5-ARI (issue 17)."""
    section = five_ari_section(sheet.language, drugs)
    if section is None:
        return sheet
    return AftercareSheet(sheet.language, sheet.title, (section, *sheet.sections))


def five_ari_consent_text(language: str, drugs: Iterable[str]) -> str:
    """The same instructions as a paragraph for the consent text, or "" without a 5-ARI."""
    section = five_ari_section(language, drugs)
    if section is None:
        return ""
    heading, points = section
    return heading + ":\n" + "\n".join(f"- {p}" for p in points)
