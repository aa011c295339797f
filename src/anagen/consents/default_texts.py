"""Version-1 consent texts a clinic can start from (English, Hindi and Marathi), published by the demo seed.

Risks are those reported in the literature on scalp mesotherapy (see docs/domain.md section 2):
pain in about 45% of patients (Saceda-Corralo 2022, J Drugs Dermatol 21:742); patchy and scarring
hair loss after injections (Duque-Estrada 2009, JAAD; J Cosmet Dermatol 2017,
doi 10.1111/jocd.12320); non-tuberculous mycobacterial infections 1-12 weeks after injection,
traced to multi-dose vials (Ivan 2013, Emerg Infect Dis 19:1493); evidence of benefit is limited
(Gajjar 2019, Int J Trichol 11:58). A clinic should have its own texts reviewed before use: the Hindi and Marathi by a native speaker
and the clinic's lawyer (docs/translation-glossary.md); each says what the English says, no more.
"""

from __future__ import annotations

from anagen.consents.models import Language, Purpose
from anagen.core.aftercare import five_ari_consent_text

TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    (Purpose.TREATMENT, Language.ENGLISH): (
        "Consent to scalp mesotherapy",
        """\
What the treatment is. Scalp mesotherapy is a course of very small injections into the skin of the scalp, given with a fine needle or an injection gun. The mixture injected is chosen for you by the trichologist and may contain vitamins, amino acids, minerals, peptides or medicines. A course is usually 6 to 8 sessions one to two weeks apart, then maintenance sessions every few months. A numbing spray can be used.

What it can and cannot do. Results vary from person to person and are not guaranteed. Research on mesotherapy for hair loss is limited: the one randomised trial of a vitamin mixture found no advantage over minoxidil lotion. Hair grows about 1 cm a month, so any change is judged after 3 to 6 months, with photographs and measurements taken under the same conditions. Other treatments may be recommended alongside it or instead of it.

Risks. Most people feel pain or stinging during the injections (about 45% in one study). Redness, small bruises, swelling and tenderness of the scalp are common and usually settle within 24 to 48 hours. Less often: headache, small bumps, or an allergic reaction to an ingredient, which may need treatment. Rarely: infection at the injection sites, including slow-growing (mycobacterial) infections that can appear 1 to 12 weeks later as painful lumps or sores and need long treatment; patchy hair loss or, very rarely, scarring with permanent hair loss at injection sites. If a medicine such as dutasteride is used, you will be told separately about its effects, including on pregnancy and fertility.

What we ask of you. Tell us about pregnancy or breastfeeding, allergies, bleeding problems or blood thinners, diabetes, cold sores, skin infections and every medicine you take. Do not wash your hair for a day after a session. Tell us at once about fever, spreading redness, pus, lumps or sores on the scalp, even weeks after a session.

Your choice. This treatment is optional. You may ask questions at any time, refuse any session, and withdraw this consent at any time without affecting the rest of your care. Withdrawal is recorded; it does not undo sessions already given.

I confirm that the treatment, its expected benefits, its risks and the alternatives have been explained to me, that my questions were answered, and that I agree to scalp mesotherapy.""",
    ),
    (Purpose.TREATMENT, Language.HINDI): (
        "स्कैल्प मेसोथेरेपी के लिए सहमति",
        """\
उपचार क्या है। स्कैल्प मेसोथेरेपी में सिर की त्वचा में बहुत बारीक सुई या इंजेक्शन गन से बहुत छोटे-छोटे इंजेक्शन लगाए जाते हैं। इंजेक्ट किया जाने वाला मिश्रण ट्राइकोलॉजिस्ट आपके लिए चुनते हैं; इसमें विटामिन, अमीनो एसिड, खनिज, पेप्टाइड या दवाएँ हो सकती हैं। आम तौर पर 6 से 8 सत्र एक-दो सप्ताह के अंतर पर होते हैं, फिर कुछ महीनों में रखरखाव सत्र। सुन्न करने वाला स्प्रे लगाया जा सकता है।

यह क्या कर सकता है और क्या नहीं। परिणाम हर व्यक्ति में अलग होते हैं और इनकी कोई गारंटी नहीं है। बाल झड़ने में मेसोथेरेपी पर शोध सीमित है: विटामिन मिश्रण के एकमात्र रैंडमाइज़्ड परीक्षण में मिनॉक्सिडिल लोशन से अधिक लाभ नहीं मिला। बाल लगभग 1 सेमी प्रति माह बढ़ते हैं, इसलिए बदलाव का आकलन 3 से 6 महीने बाद एक जैसी परिस्थितियों में ली गई तस्वीरों और मापों से किया जाता है। इसके साथ या इसके स्थान पर अन्य उपचार सुझाए जा सकते हैं।

जोखिम। अधिकांश लोगों को इंजेक्शन के समय दर्द या चुभन होती है (एक अध्ययन में लगभग 45%)। सिर की त्वचा पर लाली, छोटे नील, सूजन और छूने पर दर्द आम हैं और प्रायः 24 से 48 घंटे में ठीक हो जाते हैं। कभी-कभी: सिरदर्द, छोटे उभार, या किसी घटक से एलर्जी, जिसका इलाज करना पड़ सकता है। बहुत कम: इंजेक्शन की जगह पर संक्रमण, जिसमें धीरे बढ़ने वाले (माइकोबैक्टीरियल) संक्रमण भी शामिल हैं, जो 1 से 12 सप्ताह बाद दर्दनाक गाँठ या घाव के रूप में दिख सकते हैं और जिनका इलाज लंबा चलता है; कहीं-कहीं से बाल झड़ना, या बहुत ही कम मामलों में निशान के साथ स्थायी रूप से बाल चले जाना। यदि ड्यूटास्टेराइड जैसी दवा का उपयोग होता है, तो उसके प्रभाव, गर्भावस्था और प्रजनन क्षमता पर असर सहित, आपको अलग से बताए जाएँगे।

आपसे अनुरोध। गर्भावस्था या स्तनपान, एलर्जी, रक्तस्राव की समस्या या खून पतला करने वाली दवाएँ, मधुमेह, होंठों पर छाले, त्वचा के संक्रमण और अपनी सभी दवाओं के बारे में हमें बताएँ। सत्र के बाद एक दिन बाल न धोएँ। बुखार, फैलती लाली, मवाद, सिर पर गाँठ या घाव हों तो तुरंत बताएँ, चाहे सत्र को कई सप्ताह हो गए हों।

आपका निर्णय। यह उपचार वैकल्पिक है। आप कभी भी प्रश्न पूछ सकते हैं, किसी भी सत्र से मना कर सकते हैं और यह सहमति कभी भी वापस ले सकते हैं; इससे आपकी बाकी देखभाल पर कोई असर नहीं पड़ेगा। सहमति वापस लेना दर्ज किया जाता है; इससे पहले दिए गए सत्र वापस नहीं होते।

मैं पुष्टि करता/करती हूँ कि उपचार, उसके अपेक्षित लाभ, जोखिम और विकल्प मुझे समझाए गए हैं, मेरे प्रश्नों के उत्तर दिए गए हैं, और मैं स्कैल्प मेसोथेरेपी के लिए सहमत हूँ।""",
    ),
    (Purpose.PHOTOGRAPHS, Language.ENGLISH): (
        "Consent to clinical photographs",
        """\
Standardised photographs of your scalp and hair (and close-up images from a dermatoscope) are taken at your first visit and during treatment, to measure how your hair changes and to decide your treatment.

They are kept in your clinical record at this clinic, protected like the rest of your record, and seen only by the staff caring for you. Every time someone opens your record it is logged. They are not used for advertising, teaching or research, and not shared outside the clinic, unless you give a separate consent for that or the law requires it.

You may refuse photographs, and you may withdraw this consent at any time; no new photographs will then be taken. Photographs already taken stay in your clinical record for as long as the law requires medical records to be kept. Refusing photographs makes it harder to measure results but does not stop your treatment.

I agree to clinical photographs being taken and kept in my record for my care.""",
    ),
    (Purpose.PHOTOGRAPHS, Language.HINDI): (
        "चिकित्सा तस्वीरों के लिए सहमति",
        """\
आपकी पहली मुलाकात पर और उपचार के दौरान आपके सिर की त्वचा और बालों की मानक तस्वीरें (और डर्मेटोस्कोप से नज़दीकी चित्र) ली जाती हैं, ताकि बालों में बदलाव को मापा जा सके और आपका उपचार तय किया जा सके।

ये तस्वीरें इस क्लिनिक में आपके चिकित्सा रिकॉर्ड में रखी जाती हैं, आपके बाकी रिकॉर्ड की तरह सुरक्षित रहती हैं, और केवल आपकी देखभाल करने वाले कर्मचारी इन्हें देखते हैं। जब भी कोई आपका रिकॉर्ड खोलता है, वह दर्ज होता है। इनका उपयोग विज्ञापन, शिक्षण या शोध के लिए नहीं होता और इन्हें क्लिनिक के बाहर साझा नहीं किया जाता, जब तक आप उसके लिए अलग से सहमति न दें या कानून इसकी माँग न करे।

आप तस्वीरें लेने से मना कर सकते हैं और यह सहमति कभी भी वापस ले सकते हैं; उसके बाद कोई नई तस्वीर नहीं ली जाएगी। पहले ली गई तस्वीरें उतने समय तक आपके चिकित्सा रिकॉर्ड में रहती हैं जितना कानून चिकित्सा रिकॉर्ड रखने के लिए कहता है। तस्वीरों से मना करने पर परिणाम मापना कठिन होता है, पर आपका उपचार नहीं रुकता।

मैं सहमत हूँ कि मेरी देखभाल के लिए चिकित्सा तस्वीरें ली जाएँ और मेरे रिकॉर्ड में रखी जाएँ।""",
    ),
    (Purpose.MARKETING_PHOTOGRAPHS, Language.ENGLISH): (
        "Consent to use photographs in the clinic's marketing",
        """\
With this separate consent, the clinic may use selected before-and-after photographs of your scalp and hair in its brochures, website and social media. Your face will not be shown and your name will not be used unless you agree to that in writing for a particular image.

Photographs used this way are shown with the number of sessions and months of treatment, and without any promise that others will get the same result.

This consent is entirely optional: saying no does not change your treatment in any way. You may withdraw it at any time. The clinic will then stop using your photographs in new material and remove them from its website and social media accounts within 30 days; printed material already distributed cannot be recalled.

I agree that the clinic may use my photographs in its marketing as described above.""",
    ),
    (Purpose.MARKETING_PHOTOGRAPHS, Language.HINDI): (
        "क्लिनिक के प्रचार में तस्वीरों के उपयोग के लिए सहमति",
        """\
इस अलग सहमति से क्लिनिक आपके सिर की त्वचा और बालों की कुछ चुनी हुई 'पहले और बाद' की तस्वीरें अपने ब्रोशर, वेबसाइट और सोशल मीडिया पर उपयोग कर सकता है। आपका चेहरा नहीं दिखाया जाएगा और आपका नाम उपयोग नहीं किया जाएगा, जब तक आप किसी विशेष तस्वीर के लिए लिखित रूप में इसकी सहमति न दें।

इस तरह उपयोग की गई तस्वीरों के साथ सत्रों की संख्या और उपचार के महीने बताए जाते हैं, और यह वादा नहीं किया जाता कि दूसरों को भी वैसा ही परिणाम मिलेगा।

यह सहमति पूरी तरह वैकल्पिक है: मना करने से आपके उपचार पर कोई असर नहीं पड़ता। आप इसे कभी भी वापस ले सकते हैं। तब क्लिनिक नई सामग्री में आपकी तस्वीरों का उपयोग बंद कर देगा और 30 दिन के भीतर उन्हें अपनी वेबसाइट और सोशल मीडिया से हटा देगा; पहले से बाँटी जा चुकी छपी सामग्री वापस नहीं ली जा सकती।

मैं सहमत हूँ कि क्लिनिक ऊपर बताए अनुसार अपने प्रचार में मेरी तस्वीरों का उपयोग कर सकता है।""",
    ),
    (Purpose.REMINDERS, Language.ENGLISH): (
        "Consent to reminders by SMS and WhatsApp",
        """\
The clinic may send messages to the mobile number in your record by SMS and WhatsApp: reminders of appointments and sessions, aftercare instructions, and notices about your treatment course.

Messages contain your first name, the date, time and place of the appointment, and never your diagnosis, test results or photographs. WhatsApp messages pass through Meta's service under its terms. The clinic does not send advertising under this consent.

You may withdraw this consent at any time by telling the clinic, in person or by phone; reminders then stop. You can still be contacted by phone about your care.

I agree to receive reminders and care messages by SMS and WhatsApp.""",
    ),
    (Purpose.REMINDERS, Language.HINDI): (
        "एसएमएस और व्हाट्सऐप पर रिमाइंडर के लिए सहमति",
        """\
क्लिनिक आपके रिकॉर्ड में दर्ज मोबाइल नंबर पर एसएमएस और व्हाट्सऐप से संदेश भेज सकता है: अपॉइंटमेंट और सत्रों के रिमाइंडर, उपचार के बाद देखभाल के निर्देश और आपके उपचार कोर्स से जुड़ी सूचनाएँ।

संदेशों में आपका पहला नाम, अपॉइंटमेंट की तारीख, समय और स्थान होता है; आपका निदान, जाँच के परिणाम या तस्वीरें कभी नहीं। व्हाट्सऐप संदेश मेटा की सेवा से उसकी शर्तों के अनुसार जाते हैं। इस सहमति के अंतर्गत क्लिनिक विज्ञापन नहीं भेजता।

आप क्लिनिक को स्वयं आकर या फ़ोन पर बताकर यह सहमति कभी भी वापस ले सकते हैं; तब रिमाइंडर बंद हो जाएँगे। आपकी देखभाल के बारे में फ़ोन से संपर्क तब भी किया जा सकता है।

मैं एसएमएस और व्हाट्सऐप पर रिमाइंडर और देखभाल संबंधी संदेश पाने के लिए सहमत हूँ।""",
    ),
    (Purpose.ABDM_SHARING, Language.ENGLISH): (
        "Consent to share records through ABDM",
        """\
If you have an ABHA (Ayushman Bharat Health Account), the clinic can link the records of your visits here to it, so that you can see them in your health locker app and share them with other doctors you choose.

Records are linked and shared only through the Ayushman Bharat Digital Mission and only with your consent for each request. You decide, in your ABHA app, who may see which records and for how long.

You may withdraw this consent at any time; the clinic will then link no new records. Records you have already shared stay with those you shared them with, under their own responsibility.

I agree that the clinic may link my records to my ABHA.""",
    ),
    (Purpose.ABDM_SHARING, Language.HINDI): (
        "एबीडीएम के माध्यम से रिकॉर्ड साझा करने की सहमति",
        """\
यदि आपके पास आभा (आयुष्मान भारत हेल्थ अकाउंट) है, तो क्लिनिक यहाँ आपकी मुलाकातों के रिकॉर्ड उससे जोड़ सकता है, ताकि आप उन्हें अपने हेल्थ लॉकर ऐप में देख सकें और अपनी पसंद के दूसरे डॉक्टरों के साथ साझा कर सकें।

रिकॉर्ड केवल आयुष्मान भारत डिजिटल मिशन के माध्यम से और हर अनुरोध पर आपकी सहमति से ही जोड़े और साझा किए जाते हैं। कौन-से रिकॉर्ड कौन और कितने समय तक देख सकता है, यह आप अपने आभा ऐप में तय करते हैं।

आप यह सहमति कभी भी वापस ले सकते हैं; तब क्लिनिक कोई नया रिकॉर्ड नहीं जोड़ेगा। जो रिकॉर्ड आप पहले साझा कर चुके हैं, वे उन्हीं के पास रहते हैं जिनके साथ आपने उन्हें साझा किया, उनकी अपनी ज़िम्मेदारी में।

मैं सहमत हूँ कि क्लिनिक मेरे रिकॉर्ड मेरे आभा से जोड़ सकता है।""",
    ),
    (Purpose.TREATMENT, Language.MARATHI): (
        "टाळूच्या मेसोथेरपीसाठी संमती",
        """\
उपचार काय आहे. टाळूची मेसोथेरपी म्हणजे बारीक सुईने किंवा इंजेक्शन गनने टाळूच्या त्वचेत दिलेल्या अगदी लहान इंजेक्शनांचा कोर्स. इंजेक्ट केले जाणारे मिश्रण ट्रायकोलॉजिस्ट तुमच्यासाठी निवडतात; त्यात जीवनसत्त्वे, अमिनो आम्ले, खनिजे, पेप्टाइड किंवा औषधे असू शकतात. कोर्समध्ये सहसा एक ते दोन आठवड्यांच्या अंतराने 6 ते 8 सत्रे असतात, त्यानंतर दर काही महिन्यांनी देखभाल सत्रे. बधिर करणारा स्प्रे वापरला जाऊ शकतो.

हा उपचार काय करू शकतो आणि काय नाही. परिणाम व्यक्तीनुसार वेगवेगळे असतात आणि त्यांची हमी नाही. केस गळतीसाठी मेसोथेरपीवरील संशोधन मर्यादित आहे: जीवनसत्त्वांच्या मिश्रणाच्या एकमेव यादृच्छिक (रँडमाइज्ड) चाचणीत मिनॉक्सिडिल लोशनपेक्षा अधिक फायदा दिसला नाही. केस महिन्याला सुमारे 1 सेमी वाढतात, म्हणून कोणताही बदल 3 ते 6 महिन्यांनंतर, एकाच परिस्थितीत घेतलेल्या छायाचित्रांवरून आणि मोजमापांवरून ठरवला जातो. त्यासोबत किंवा त्याऐवजी इतर उपचार सुचवले जाऊ शकतात.

धोके. बहुतेक लोकांना इंजेक्शनच्या वेळी वेदना किंवा चुरचुर जाणवते (एका अभ्यासात सुमारे 45%). टाळूवर लालसरपणा, लहान व्रण (नीळ), सूज आणि दुखरेपणा सामान्य आहेत आणि सहसा 24 ते 48 तासांत कमी होतात. कमी वेळा: डोकेदुखी, लहान उंचवटे, किंवा एखाद्या घटकाची ॲलर्जी, ज्यावर उपचार करावे लागू शकतात. क्वचित: इंजेक्शनच्या जागी संसर्ग, ज्यात हळू वाढणाऱ्या (मायकोबॅक्टेरियल) संसर्गांचाही समावेश आहे, जे 1 ते 12 आठवड्यांनंतर वेदनादायक गाठी किंवा जखमांच्या रूपात दिसू शकतात आणि ज्यांचा उपचार दीर्घकाळ चालतो; ठिकठिकाणी केस गळणे, किंवा अगदी क्वचित, इंजेक्शनच्या जागी व्रण राहून कायमचे केस जाणे. ड्युटास्टेराइडसारखे औषध वापरले गेल्यास, त्याचे परिणाम, गर्भधारणा आणि प्रजननक्षमतेवरील परिणामांसह, तुम्हाला स्वतंत्रपणे सांगितले जातील.

तुमच्याकडून अपेक्षा. गर्भधारणा किंवा स्तनपान, ॲलर्जी, रक्तस्रावाचे त्रास किंवा रक्त पातळ करणारी औषधे, मधुमेह, ओठांवरील फोड (कोल्ड सोअर), त्वचेचे संसर्ग आणि तुम्ही घेत असलेले प्रत्येक औषध याबद्दल आम्हाला सांगा. सत्रानंतर एक दिवस केस धुऊ नका. ताप, पसरणारा लालसरपणा, पू, टाळूवर गाठी किंवा जखमा दिसल्यास लगेच सांगा, सत्राला आठवडे उलटून गेले असले तरीही.

तुमचा निर्णय. हा उपचार ऐच्छिक आहे. तुम्ही कधीही प्रश्न विचारू शकता, कोणतेही सत्र नाकारू शकता आणि ही संमती कधीही मागे घेऊ शकता; त्याचा तुमच्या उर्वरित काळजीवर परिणाम होणार नाही. संमती मागे घेतल्याची नोंद केली जाते; आधी दिलेली सत्रे त्यामुळे रद्द होत नाहीत.

मी पुष्टी करतो/करते की उपचार, त्याचे अपेक्षित फायदे, धोके आणि पर्याय मला समजावून सांगितले गेले आहेत, माझ्या प्रश्नांची उत्तरे दिली गेली आहेत, आणि मी टाळूच्या मेसोथेरपीसाठी संमती देतो/देते.""",
    ),
    (Purpose.PHOTOGRAPHS, Language.MARATHI): (
        "वैद्यकीय छायाचित्रांसाठी संमती",
        """\
तुमच्या पहिल्या भेटीत आणि उपचारादरम्यान तुमच्या टाळूची आणि केसांची प्रमाणित छायाचित्रे (आणि डर्मेटोस्कोपने घेतलेल्या जवळून प्रतिमा) घेतली जातात, जेणेकरून केसांमधील बदल मोजता येतील आणि तुमचा उपचार ठरवता येईल.

ती या क्लिनिकमधील तुमच्या वैद्यकीय नोंदीत ठेवली जातात, तुमच्या उर्वरित नोंदीप्रमाणेच सुरक्षित असतात, आणि फक्त तुमची काळजी घेणारे कर्मचारीच ती पाहतात. कोणीही तुमची नोंद उघडली की प्रत्येक वेळी त्याची नोंद होते. तुम्ही त्यासाठी स्वतंत्र संमती दिल्याशिवाय किंवा कायद्याने आवश्यक असल्याशिवाय, ती जाहिरात, शिक्षण किंवा संशोधनासाठी वापरली जात नाहीत आणि क्लिनिकबाहेर दिली जात नाहीत.

तुम्ही छायाचित्रे नाकारू शकता, आणि ही संमती कधीही मागे घेऊ शकता; त्यानंतर नवीन छायाचित्रे घेतली जाणार नाहीत. आधी घेतलेली छायाचित्रे, कायद्यानुसार वैद्यकीय नोंदी जितका काळ ठेवाव्या लागतात तितका काळ, तुमच्या वैद्यकीय नोंदीत राहतात. छायाचित्रे नाकारल्यास परिणाम मोजणे कठीण होते, पण तुमचा उपचार थांबत नाही.

माझ्या काळजीसाठी वैद्यकीय छायाचित्रे घेतली जावीत आणि माझ्या नोंदीत ठेवली जावीत, याला मी संमती देतो/देते.""",
    ),
    (Purpose.MARKETING_PHOTOGRAPHS, Language.MARATHI): (
        "क्लिनिकच्या जाहिरातीत छायाचित्रांच्या वापरासाठी संमती",
        """\
या स्वतंत्र संमतीने, क्लिनिक तुमच्या टाळूची आणि केसांची निवडक 'आधी आणि नंतर'ची छायाचित्रे आपल्या माहितीपत्रकांत, वेबसाइटवर आणि सोशल मीडियावर वापरू शकते. एखाद्या विशिष्ट प्रतिमेसाठी तुम्ही लेखी संमती दिल्याशिवाय तुमचा चेहरा दाखवला जाणार नाही आणि तुमचे नाव वापरले जाणार नाही.

अशा प्रकारे वापरलेल्या छायाचित्रांसोबत सत्रांची संख्या आणि उपचाराचे महिने दाखवले जातात, आणि इतरांनाही तसाच परिणाम मिळेल असे कोणतेही वचन दिले जात नाही.

ही संमती पूर्णपणे ऐच्छिक आहे: नकार दिल्याने तुमच्या उपचारात कोणताही बदल होत नाही. तुम्ही ती कधीही मागे घेऊ शकता. त्यानंतर क्लिनिक नवीन साहित्यात तुमची छायाचित्रे वापरणे थांबवेल आणि 30 दिवसांच्या आत ती आपल्या वेबसाइटवरून आणि सोशल मीडिया खात्यांवरून काढून टाकेल; आधीच वाटलेले छापील साहित्य परत मागवता येत नाही.

वर सांगितल्याप्रमाणे क्लिनिक आपल्या जाहिरातीत माझी छायाचित्रे वापरू शकते, याला मी संमती देतो/देते.""",
    ),
    (Purpose.REMINDERS, Language.MARATHI): (
        "एसएमएस आणि व्हॉट्सॲपवरील स्मरणपत्रांसाठी संमती",
        """\
क्लिनिक तुमच्या नोंदीतील मोबाइल नंबरवर एसएमएस आणि व्हॉट्सॲपद्वारे संदेश पाठवू शकते: भेटी आणि सत्रांची स्मरणपत्रे, उपचारानंतरच्या काळजीच्या सूचना, आणि तुमच्या उपचार कोर्सविषयीची माहिती.

संदेशांत तुमचे पहिले नाव, भेटीची तारीख, वेळ आणि ठिकाण असते; तुमचे निदान, तपासण्यांचे निकाल किंवा छायाचित्रे कधीच नसतात. व्हॉट्सॲप संदेश मेटाच्या सेवेतून, तिच्या अटींनुसार जातात. या संमतीअंतर्गत क्लिनिक जाहिराती पाठवत नाही.

तुम्ही क्लिनिकला प्रत्यक्ष येऊन किंवा फोनवर सांगून ही संमती कधीही मागे घेऊ शकता; त्यानंतर स्मरणपत्रे थांबतात. तुमच्या काळजीबद्दल तुमच्याशी फोनवर संपर्क तरीही साधला जाऊ शकतो.

एसएमएस आणि व्हॉट्सॲपवर स्मरणपत्रे आणि काळजीविषयक संदेश मिळण्यास मी संमती देतो/देते.""",
    ),
    (Purpose.ABDM_SHARING, Language.MARATHI): (
        "एबीडीएमद्वारे नोंदी शेअर करण्यासाठी संमती",
        """\
तुमच्याकडे आभा (आयुष्मान भारत हेल्थ अकाउंट) असल्यास, क्लिनिक येथील तुमच्या भेटींच्या नोंदी त्याच्याशी जोडू शकते, जेणेकरून तुम्ही त्या तुमच्या हेल्थ लॉकर ॲपमध्ये पाहू शकाल आणि तुम्ही निवडलेल्या इतर डॉक्टरांसोबत शेअर करू शकाल.

नोंदी फक्त आयुष्मान भारत डिजिटल मिशनद्वारे आणि प्रत्येक विनंतीसाठी तुमच्या संमतीनेच जोडल्या आणि शेअर केल्या जातात. कोणत्या नोंदी कोण आणि किती काळ पाहू शकेल, हे तुम्ही तुमच्या आभा ॲपमध्ये ठरवता.

तुम्ही ही संमती कधीही मागे घेऊ शकता; त्यानंतर क्लिनिक कोणतीही नवीन नोंद जोडणार नाही. तुम्ही आधीच शेअर केलेल्या नोंदी, ज्यांच्याशी तुम्ही त्या शेअर केल्या त्यांच्याकडेच, त्यांच्या स्वतःच्या जबाबदारीवर राहतात.

क्लिनिक माझ्या नोंदी माझ्या आभाशी जोडू शकते, याला मी संमती देतो/देते.""",
    ),
}


# Issue 17: the treatment consent carries the instructions that go with a 5-alpha-reductase
# inhibitor (dutasteride, finasteride), in every language the aftercare sheet has, from the same
# core text as the sheet (anagen.core.aftercare.five_ari_consent_text), so the two never differ.
_FIVE_ARI_INTRO = {
    Language.ENGLISH: "If your mixture contains dutasteride or finasteride (5-alpha-reductase inhibitors), also:",
    Language.HINDI: "अगर आपके मिश्रण में ड्यूटास्टेराइड या फ़िनास्टेराइड (5-अल्फ़ा-रिडक्टेज़ इनहिबिटर) है, तो यह भी:",
    Language.MARATHI: "तुमच्या मिश्रणात ड्युटास्टेराइड किंवा फिनास्टेराइड (5-अल्फा-रिडक्टेज इनहिबिटर) असल्यास, हेदेखील:",
}
for _language, _intro in _FIVE_ARI_INTRO.items():
    _title, _body = TEXTS[(Purpose.TREATMENT, _language)]
    _points = five_ari_consent_text(_language, ("dutasteride", "finasteride")).split("\n", 1)[1]
    _last = _body.rfind("\n\n")
    TEXTS[(Purpose.TREATMENT, _language)] = (_title, f"{_body[:_last]}\n\n{_intro}\n{_points}{_body[_last:]}")
