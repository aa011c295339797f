from anagen.core.education import ARTICLE_FAQ, TREATMENT_OPTIONS


def test_every_treatment_option_states_its_evidence_and_source():
    assert len(TREATMENT_OPTIONS) >= 8
    for option in TREATMENT_OPTIONS:
        assert option.evidence_quality and option.source and option.best_published_effect


def test_the_honest_faq_never_repeats_the_articles_no_side_effects_promise():
    side_effects = next(a for a in ARTICLE_FAQ if "side effects" in a.question)
    assert "no systemic side effects" in side_effects.article_says.lower()
    assert "infection" in side_effects.honest_answer
    assert all(answer.source for answer in ARTICLE_FAQ)
