"""What a patient should know before choosing: treatment options with their published effect and
the quality of that evidence, and the source article's FAQ answered honestly.

Sources: domain.md §4b (options table: Olsen 2002, Lucky 2004, Kaufman 1998, Jimenez 2014,
Kieling 2024, Abdallah 2009, Gajjar 2019), §2 (where the article overclaims: Saceda-Corralo 2022,
Duque-Estrada 2009, Ivan 2013, Sobhy 2013) and §3 (hair-cycle kinetics). These are default texts;
each clinic may edit its FAQ.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TreatmentOption:
    name: str
    best_published_effect: str
    evidence_quality: str
    notes: str
    source: str


TREATMENT_OPTIONS: tuple[TreatmentOption, ...] = (
    TreatmentOption(
        "Minoxidil 5% (topical)",
        "Men +18.6 hairs/cm² at 48 weeks vs +3.9 with placebo; women +26.0 vs +9.4",
        "Good: randomised controlled trials",
        "Applied daily at home; effect lasts while it is used.",
        "Olsen 2002; Lucky 2004 (domain.md §4b)",
    ),
    TreatmentOption(
        "Finasteride 1 mg (oral, men)",
        "+107 hairs per 5.1 cm² vs placebo at 1 year, +138 at 2 years",
        "Good: randomised controlled trials",
        "Prescription medicine for men; discuss side effects with the doctor.",
        "Kaufman 1998 (domain.md §4b)",
    ),
    TreatmentOption(
        "Low-level laser",
        "+18-26 hairs/cm² at 26 weeks in device trials",
        "Moderate: randomised trials, device-sponsored",
        "Home devices or clinic sessions.",
        "Jimenez 2014 (domain.md §4b)",
    ),
    TreatmentOption(
        "PRP (platelet-rich plasma)",
        "+27.5 hairs/cm² vs placebo on average, with very different results between studies",
        "Low: heterogeneous trials, publication bias",
        "Your own blood, processed and injected into the scalp.",
        "Kieling 2024 An Bras Dermatol 99:847 (domain.md §4b)",
    ),
    TreatmentOption(
        "Dutasteride mesotherapy",
        "+7.9 hairs vs saline injections at 12 weeks",
        "Low: one small randomised trial; the drug was found in the blood",
        "Off-label use of a prescription drug; changes in semen and hormone levels were reported.",
        "Abdallah 2009; Sobhy 2013 (domain.md §2, §4b)",
    ),
    TreatmentOption(
        "Vitamin and peptide mesotherapy (this programme)",
        "No advantage over minoxidil 5% except less variation in shaft diameter",
        "Low: one small randomised trial",
        "6-8 clinic sessions of scalp injections, then maintenance; results are measured, not promised.",
        "Gajjar 2019 Int J Trichol 11:58 (domain.md §2, §4b)",
    ),
    TreatmentOption(
        "PRF, exosomes, GHK-Cu, PP405",
        "No controlled trial of hair counts in people found",
        "None or early",
        "Offered as combinations; evidence of benefit is lacking.",
        "domain.md §4b",
    ),
    TreatmentOption(
        "Topical serums",
        "Depends on the active ingredient; most have no controlled trial",
        "Varies; mostly none",
        "Ask which ingredient and which trial.",
        "domain.md §1, §4b",
    ),
)


@dataclass(frozen=True)
class FaqAnswer:
    question: str
    article_says: str
    honest_answer: str
    source: str


ARTICLE_FAQ: tuple[FaqAnswer, ...] = (
    FaqAnswer(
        "What is mesotherapy for hair?",
        "A non-surgical treatment delivering vitamins, minerals, amino acids and peptides into the scalp that promotes natural regrowth.",
        "A course of small injections of a vitamin, amino-acid and peptide mixture into the skin of the scalp. "
        "Whether it regrows hair better than proven treatments is not established: the one randomised trial of a "
        "vitamin cocktail found no advantage over minoxidil 5%.",
        "Gajjar 2019 Int J Trichol 11:58",
    ),
    FaqAnswer(
        "Is mesotherapy painful?",
        "Mildly uncomfortable rather than painful.",
        "Many people find it uncomfortable: in one study about 45% reported pain. A numbing spray can help. "
        "Tell the practitioner if you have fainted with needles before.",
        "Saceda-Corralo 2022 J Drugs Dermatol 21:742",
    ),
    FaqAnswer(
        "How soon will I see results?",
        "Visible improvements after 3-4 sessions; thickening over three to four months.",
        "Hair grows about 1 cm a month and a shed hair takes about 3 months to be replaced, so shedding may settle "
        "first and visible thickness takes months. Studies judge results at 12 to 48 weeks. The clinic measures "
        "your density and shedding at the same spot each time and shows you the figures.",
        "domain.md §2, §3 (hair-cycle kinetics; trials assess at 12-48 weeks)",
    ),
    FaqAnswer(
        "How many sessions are required?",
        "6-8 initial sessions 1-2 weeks apart, then maintenance every 2-3 months.",
        "The clinic's protocol is an intensive phase of 6-8 sessions 1-2 weeks apart, then maintenance every 1-3 "
        "months set by your measured response. If measurements show no response, the plan is reviewed rather than continued.",
        "source article; clinic protocol",
    ),
    FaqAnswer(
        "Can mesotherapy be combined with other treatments?",
        "It pairs exceptionally well with PRF, exosomes and peptides, enhancing regrowth.",
        "It can be given alongside them, but there are no controlled trials showing that PRF, exosomes or peptides "
        "add regrowth. Minoxidil and finasteride have the strongest evidence of any option.",
        "domain.md §4b",
    ),
    FaqAnswer(
        "Are there side effects or downtime?",
        "Minimal: temporary redness or tenderness; no systemic side effects.",
        "Redness, tenderness and pinpoint bruising for a day or two are common. Rare but serious: infections "
        "(including mycobacterial infections weeks later), allergic reactions and patchy hair loss at the injection "
        "sites. Drug components such as dutasteride can reach the blood. Call the clinic if anything worries you.",
        "Duque-Estrada 2009 JAAD; Ivan 2013 Emerg Infect Dis 19:1493; Sobhy 2013 Our Dermatol Online 4:40",
    ),
    FaqAnswer(
        "Is mesotherapy suitable for everyone?",
        "Most men and women with early to moderate thinning.",
        "No. It is not given under 18, in pregnancy or breastfeeding, with an active scalp infection, scarring "
        "alopecia or a bleeding disorder; some medicines and conditions need extra care. The trichologist screens "
        "everyone before treatment.",
        "domain.md §6",
    ),
)
