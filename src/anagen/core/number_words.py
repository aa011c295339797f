"""Whole numbers in Hindi and Marathi words, grouped the Indian way (हज़ार/हजार, लाख, करोड़/कोटी).

num2words (0.5.14, the latest release) has no Hindi or Marathi, so the words are here. Both
languages name every number below a hundred with its own word (इक्यावन is not "पचास एक"), so those
are listed, not composed; above that the Indian system groups by hundred, thousand (10^3), lakh
(10^5) and crore (10^7), a crore count itself read as a number ("एक सौ करोड़").
Sources: the standard Hindi number names (Kendriya Hindi Nideshalaya's spelling, हज़ार with the
nukta) and Marathi number names as written on Maharashtra cheques and school tables (शंभर for a
hundred alone, the hundreds joined as एकशे, दोनशे …, कोटी for crore).
"""

from __future__ import annotations

_HI_UNDER_100 = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ दस "
    "ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस बीस "
    "इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस "
    "इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस चालीस "
    "इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास पचास "
    "इक्यावन बावन तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ साठ "
    "इकसठ बासठ तिरेसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर सत्तर "
    "इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उनासी अस्सी "
    "इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी नब्बे "
    "इक्यानबे बानबे तिरानबे चौरानबे पंचानबे छियानबे सत्तानबे अट्ठानबे निन्यानबे"
).split()

_MR_UNDER_100 = (
    "शून्य एक दोन तीन चार पाच सहा सात आठ नऊ दहा "
    "अकरा बारा तेरा चौदा पंधरा सोळा सतरा अठरा एकोणीस वीस "
    "एकवीस बावीस तेवीस चोवीस पंचवीस सव्वीस सत्तावीस अठ्ठावीस एकोणतीस तीस "
    "एकतीस बत्तीस तेहेतीस चौतीस पस्तीस छत्तीस सदतीस अडतीस एकोणचाळीस चाळीस "
    "एक्केचाळीस बेचाळीस त्रेचाळीस चव्वेचाळीस पंचेचाळीस सेहेचाळीस सत्तेचाळीस अठ्ठेचाळीस एकोणपन्नास पन्नास "
    "एक्कावन्न बावन्न त्रेपन्न चोपन्न पंचावन्न छप्पन्न सत्तावन्न अठ्ठावन्न एकोणसाठ साठ "
    "एकसष्ट बासष्ट त्रेसष्ट चौसष्ट पासष्ट सहासष्ट सदुसष्ट अडुसष्ट एकोणसत्तर सत्तर "
    "एकाहत्तर बाहत्तर त्र्याहत्तर चौऱ्याहत्तर पंच्याहत्तर शहात्तर सत्याहत्तर अठ्ठ्याहत्तर एकोणऐंशी ऐंशी "
    "एक्क्याऐंशी ब्याऐंशी त्र्याऐंशी चौऱ्याऐंशी पंच्याऐंशी शहाऐंशी सत्त्याऐंशी अठ्ठ्याऐंशी एकोणनव्वद नव्वद "
    "एक्क्याण्णव ब्याण्णव त्र्याण्णव चौऱ्याण्णव पंच्याण्णव शहाण्णव सत्त्याण्णव अठ्ठ्याण्णव नव्व्याण्णव"
).split()

# (size, Hindi, Marathi), largest first; a crore count above 99 is read as a number itself.
_GROUPS = ((10**7, "करोड़", "कोटी"), (10**5, "लाख", "लाख"), (10**3, "हज़ार", "हजार"))
LANGUAGES = ("hi", "mr")


def _hundreds(n: int, language: str) -> list[str]:
    """Words for 1..999."""
    under_100 = _HI_UNDER_100 if language == "hi" else _MR_UNDER_100
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds:
        if language == "hi":
            words += [under_100[hundreds], "सौ"]
        elif hundreds == 1 and not rest:
            words.append("शंभर")  # a hundred alone; एकशे only before more
        else:
            words.append(under_100[hundreds] + "शे")  # एकशे, दोनशे, … नऊशे
    if rest:
        words.append(under_100[rest])
    return words


def number_in_words(n: int, language: str) -> str:
    """A whole number ≥ 0 in Hindi ("hi") or Marathi ("mr") words: 125000 → 'एक लाख पच्चीस हज़ार'
    (hi), 'एक लाख पंचवीस हजार' (mr)."""
    if language not in LANGUAGES:
        raise ValueError(f"no number words for language {language!r}; one of {', '.join(LANGUAGES)}")
    if n < 0:
        raise ValueError("a number in words is never negative")
    if n == 0:
        return _HI_UNDER_100[0] if language == "hi" else _MR_UNDER_100[0]
    words: list[str] = []
    for size, hindi, marathi in _GROUPS:
        count, n = divmod(n, size)
        if count:
            words += [number_in_words(count, language), hindi if language == "hi" else marathi]
    if n:
        words += _hundreds(n, language)
    return " ".join(words)
