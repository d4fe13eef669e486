"""The phrases the answer checker looks for, as regular expressions on folded text.

Folded text (checker.fold) is lower case, without accents, with every apostrophe written `'`,
so a rule is written once for "À mon avis", "a mon avis" and "à mon avis". A rule names the
span it reports with the group `m` when it needs context around it (a sentence start).

Per language:
- FLAGS: (kind, pattern). Kinds: "opinion", "advice", "recommendation".
- REPORTING: words that make a sentence report someone else's words ("the Act says landlords
  should...", "Consumer Reports rated it the best..."); a flag in such a sentence is forgiven
  unless it is in the first person (FIRST_PERSON: "I think", "I recommend").
- ALLOW: phrases that excuse a flag they overlap: the policy's own words ("we do not recommend
  specific products") and questions put back to the patron ("what you should do").
"""

from __future__ import annotations

# The start of a sentence, a line or a list item: imperatives only count there.
START = r"(?:^|[.!?]\s+|^\s*[-*•]\s+)"

# Words that mark a sentence as reporting a source rather than speaking for the library.
REPORTING = {
    "en": (
        r"\b(?:says?|said|states?|stated|provides?|advises?|recommends?|recommended by|"
        r"suggests?|warns?|according to|notes?|explains?|requires?|rated|rates|ranked|ranks|"
        r"scored|reviewers?|survey|study|tests? (?:by|from)|(?<!i )found|reported|guide|"
        r"guidelines?|the act|the law|the code|regulations?|publishes|lists?|names?)\b"
    ),
    "fr": (
        r"(?:\b(?:selon (?!moi\b|nous\b)|d'apres (?!moi\b|nous\b)|indique|precise|stipule|"
        r"prevoit|(?<!je )recommande\b|(?<!je )conseille\b|(?<!je )suggere\b|explique|"
        r"affirme|exige|classe|evalue|note|guide|etude|enquete|sondage|la loi|le code|"
        r"le reglement|publie|dit que|disent que|rapporte))"
    ),
}

_EN_PRO = r"(?:lawyer|attorney|dentist|doctor|physician|surgeon|plumber|electrician|mechanic|"
_EN_PRO += r"garage|contractor|roofer|accountant|tax preparer|realtor|real estate agent|agent|"
_EN_PRO += r"notary|therapist|vet|veterinarian|insurer|insurance company|bank|broker|"
_EN_PRO += r"brand|product|model|make|company|provider|shop|store|retailer|restaurant|hotel|"
_EN_PRO += r"airline|clinic|app|phone|laptop|car|tires?|mattress|vacuum|deal|value|buy|"
_EN_PRO += r"choice|option|one)s?"

_FR_PRO = r"(?:avocat|dentiste|medecin|chirurgien|notaire|plombier|electricien|garagiste|"
_FR_PRO += r"mecanicien|entrepreneur|comptable|courtier|agent|assureur|banque|assurance|"
_FR_PRO += r"marque|produit|modele|fournisseur|magasin|boutique|commerce|restaurant|hotel|"
_FR_PRO += r"clinique|pharmacie|application|telephone|voiture|choix|option|entreprise|"
_FR_PRO += r"compagnie|affaire|achat|rapport qualite-prix)(?:e|s|es)?"

# What the library itself offers: "try the catalogue's advanced search" is no product.
LIBRARY_THINGS = (
    r"(?:catalog|catalogue|library|bibliotheque|search|recherche|database|base|advanced|online|"
    r"website|site|form|formulaire|link|lien|page|branch|succursale|desk|comptoir|index)"
)

FLAGS: dict[str, list[tuple[str, str]]] = {
    "en": [
        # Opinion: the librarian's own view.
        (
            "opinion",
            r"\b(?:i|we) (?:really |personally |honestly |strongly |do |don't |do not )?"
            r"(?:think|believe|feel|reckon|guess|suppose)\b",
        ),
        ("opinion", r"\bin (?:my|our) (?:honest |humble |personal )?(?:opinion|view|experience)"),
        ("opinion", r"\b(?:my|our) (?:personal |honest )?(?:opinion|view|take|two cents)\b"),
        ("opinion", r"\b(?:imo|imho|if you ask me|to be honest|honestly,|frankly,)"),
        ("opinion", START + r"(?P<m>(?:honestly|frankly)\b)"),
        (
            "recommendation",
            r"\b(?:it's|it is|they're|they are|'s|'re) (?:by far |easily |simply )?(?:the )?"
            r"(?:fastest|nicest|most reliable|better|nicer|faster|cheaper)\b(?! to\b| than ever|-)",
        ),
        (
            "opinion",
            r"\b(?:i'd say|i would say|i'm (?:sure|convinced|certain) that|"
            r"i find (?:it|that|them))\b",
        ),
        ("opinion", r"\bpersonally(?=\s*,|\s+i\b|\s+i')|\bi personally\b|\bspeaking personally\b"),
        (
            "opinion",
            r"\b(?:is|are|'s|'re|was|were) (?:really |very |so |truly |absolutely |just |pretty )?"
            r"(?:great|excellent|fantastic|amazing|awesome|wonderful|terrible|awful|horrible|"
            r"overrated|overpriced|useless|a rip-?off|garbage|junk|a scam|a waste of)\b",
        ),
        ("opinion", r"\b(?:waste of (?:money|time)|don't waste your)\b"),
        # Advice: telling the patron what to do.
        (
            "advice",
            r"\byou(?: really| definitely| probably| absolutely)? (?:should(?:n't| not)?|"
            r"ought(?:n't)? to|'d better|had better|would be better off|"
            r"'ll want to|need to (?:buy|get|go with|switch|avoid|choose|pick))\b|"
            r"\byou'd (?:better|be better off)\b",
        ),
        (
            "advice",
            r"\bit(?:'d| would)? be (?:wise|smart|best|a good idea|prudent) to\b|"
            r"\bit(?:'s| is) (?:wise|smart|prudent) to\b|\byou really (?:need|have) to\b|"
            r"\bmake sure (?:you|to) (?:invest|buy|get|choose|pick|go with|switch|avoid)\b",
        ),
        (
            "advice",
            r"\b(?:i|we)(?:'d| would)? (?:strongly |really |just )?(?:suggest|advise|urge)\b",
        ),
        ("advice", r"\b(?:my|our) (?:best |honest |personal )?(?:advice|suggestion|tip)\b"),
        (
            "advice",
            r"\bif (?:i were|i was|it were|it was) (?:you|me|my (?:money|call|choice|decision))\b|"
            r"\bin your (?:shoes|place|position)\b|\bwere i you\b|\bwhat i(?:'d| would) do\b",
        ),
        (
            "advice",
            r"\bi(?:'d| would)(?: definitely| probably| personally| just| really)? (?:not |never )?"
            r"(?:go with|go for|pick|choose|buy|get|avoid|stay away|skip|use|stick with|opt for|"
            r"wait|sign|trust|bother|consider)\b",
        ),
        (
            "advice",
            r"\bi wouldn't\b|\bi would not\b|\byour best bet\b|\bdon't bother\b|\btrust me\b",
        ),
        ("advice", r"\b(?:is|are) all you (?:need|want)\b"),
        (
            "advice",
            START + r"(?P<m>(?:avoid|skip|stay away from|never buy|don't buy|do not buy|"
            r"steer clear of|definitely|just go)\b)",
        ),
        # Recommendation: naming a product, brand, shop or provider to choose.
        (
            "recommendation",
            r"\b(?:i|we)(?:'d| would| really| highly| strongly| definitely| can| do| always)"
            r"{0,3} (?:recommend|endorse)\b",
        ),
        ("recommendation", r"\b(?:my|our) (?:top )?(?:recommendation|pick|favou?rite|go-to)s?\b"),
        ("recommendation", r"\bi(?:'m| am) (?:a )?(?:big |huge )?fan of\b|\bi (?:love|swear by)\b"),
        (
            "recommendation",
            r"\b(?:you can't go wrong with|you cannot go wrong with|you won't regret|"
            r"you won't be disappointed|(?:can't|cannot) beat|nothing beats|is the way to go|"
            r"worth every penny|worth the money|bang for (?:the|your) buck|well worth it)\b",
        ),
        ("recommendation", r"\bthe (?:very )?best " + _EN_PRO + r"\b"),
        (
            "recommendation",
            r"\b(?:is|are|'s|'re) (?:by far |hands down |definitely |easily |clearly |really |"
            r"simply |just )?(?:the )?(?:best|cheapest|most reliable|top choice)\b"
            r"(?!-)(?! (?:practices?|known|available|before|by|estimate|if|to|"
            r"way to (?:reach|contact)|source of (?:data|figures|statistics)))",
        ),
        (
            "recommendation",
            r"\b(?:great|excellent|amazing|fantastic|superb|terrific|unbeatable|good) "
            r"(?:value|deal|price|product|brand|quality for the price)\b",
        ),
        (
            "recommendation",
            START + r"(?P<m>(?:buy|purchase|order|grab|get yourself|go with|go for|stick with|"
            r"shop at|switch to|try (?:the|their)(?! " + LIBRARY_THINGS + r")|pick up (?:a|the)|"
            r"head (?:over )?to|go ahead and (?:buy|book|order|get|sign))\b)",
        ),
        ("recommendation", r"\b(?:just|go) (?:buy|get|order) (?:the|a|an|their|one)\b"),
        (
            "recommendation",
            r"\b(?:the )?(?:smarter|smart|better|best|safer) (?:buy|purchase|bet)\b",
        ),
    ],
    "fr": [
        (
            "opinion",
            r"\b(?:je (?:ne )?(?:pense|crois|trouve que|trouve qu'|trouve ca|suis d'avis|"
            r"suis (?:convaincue?|persuadee?|sure?) que)|nous pensons|nous croyons|"
            r"j'estime|j'ai l'impression|il me semble|a mon (?:humble )?(?:avis|sens)|"
            r"selon moi|d'apres moi|pour ma part|a notre avis|selon nous|quant a moi)\b",
        ),
        ("opinion", r"\b(?:personnellement(?=\s*,|\s+je\b|\s+j')|moi,? personnellement)"),
        ("opinion", r"\b(?:franchement|honnetement|sincerement|entre nous)\s*,"),
        (
            "opinion",
            r"\b(?:est|sont) (?:tres |vraiment |super |fort )?(?:competente?s?|fiables|serieux|"
            r"serieuses?|honnetes|pas chere?s?)\b",
        ),
        ("advice", r"\bde ma part\b"),
        (
            "opinion",
            r"\b(?:c'est|est|sont|etait) (?:vraiment |tres |tout simplement |franchement |"
            r"carrement )?(?:genial|geniale|geniaux|nul|nulle|nuls|super|formidable|decevante?|"
            r"excellente?s?|parfaite?s?|incroyables?|n'importe quoi|"
            r"une arnaque|de la camelote|surcotee?|hors de prix|une perte d'argent|a eviter)\b",
        ),
        (
            "advice",
            r"\b(?:(?<!que )vous devriez|(?<!que )tu devrais|vous feriez mieux|tu ferais mieux|"
            r"vous devez absolument|il faut absolument|(?<!qu')il vaut mieux|mieux vaut|"
            r"(?<!qu')il vaudrait mieux|le mieux,? c'est|le mieux est de|"
            r"vous seriez mieux de|tu serais mieux de|ne vous y fiez pas|ne vous fiez pas)\b",
        ),
        (
            "advice",
            r"\b(?:je vous|je te|nous vous) (?:conseille|conseillons|suggere|suggerons|"
            r"deconseille|deconseillons)\b|\bje (?:suggere|conseille|deconseille)\b",
        ),
        ("advice", r"\b(?:mon|notre|un petit) (?:seul )?(?:conseil|truc|astuce)\b"),
        ("advice", r"\b(?:a votre place|a ta place|si j'etais (?:vous|toi)|ce que je ferais)\b"),
        (
            "advice",
            r"\b(?:j'irais|j'opterais|j'attendrais|j'acheterais|j'eviterais|je (?:ne )?"
            r"(?:prendrais|choisirais|signerais|louerais|garderais|resterais loin|ferais pas)|"
            r"je n'(?:acheterais|irais))\b",
        ),
        ("advice", START + r"(?P<m>(?:evitez|fuyez|n'achetez pas|n'allez pas)\b)"),
        (
            "recommendation",
            r"\b(?:je (?:vous |te )?recommande|nous (?:vous )?recommandons|je (?:vous |te )?"
            r"(?:prescris|propose d'acheter))\b",
        ),
        (
            "recommendation",
            r"\b(?:(?:le|la|les) (?:tout )?meilleure?s? " + _FR_PRO + r"|"
            r"(?:c'est|est|sont) (?:de loin |vraiment |clairement |sans doute |sans conteste )?"
            r"(?:le|la|les) (?:meilleure?s?|moins chere?s?|plus (?:fiables?|rapides?|abordables?|"
            r"avantageux|avantageuses?))(?! (?:source|moyen|facon|vendeur|vente)|-)|"
            r"(?:meilleur|excellent|bon) rapport qualite-prix)\b",
        ),
        (
            "recommendation",
            r"\b(?:(?<!vous )(?<!si vous )achetez|procurez-vous|allez chez|va chez|"
            r"passez chez|rendez-vous chez|optez pour|privilegiez|tournez-vous vers la marque|"
            r"n'hesitez pas a (?:acheter|essayer|choisir|aller chez))\b",
        ),
        (
            "recommendation",
            START + r"(?P<m>(?:achete|prends|prenez(?! note)|choisis|"
            r"essayez (?:plutot |donc )?(?:la|le|les)(?! " + LIBRARY_THINGS + r"))\b)",
        ),
        (
            "recommendation",
            r"\b(?:on ne se trompe (?:jamais )?pas avec|vous ne vous tromperez pas|"
            r"vous ne serez pas decue?s?|rien ne vaut|rien de mieux que|imbattable|"
            r"vaut (?:vraiment |largement )?le (?:coup|detour)|vaut son prix|"
            r"(?:mon|ma|mes) (?:marque |produit |choix )?"
            r"(?:prefere|preferee|preferes|coup de coeur)|"
            r"je (?:ne )?jure que par|je suis (?:une )?(?:grande? )?fan de|j'adore)\b",
        ),
    ],
}

# First-person phrases are the librarian's own words even in a sentence that cites a source.
FIRST_PERSON = {
    "en": r"^(?:i|i'|we|my|our|in my|in our|if i|personally|imo|imho)\b|\bi\b",
    "fr": r"^(?:je|j'|nous|mon|ma|mes|notre|a mon|selon moi|d'apres moi|pour ma|moi|"
    r"personnellement)|\bje\b|\bj'",
}

ALLOW = {
    "en": [
        # The policy's own words: the library does not recommend products or businesses.
        r"\b(?:i|we|the library|staff)(?: do not| don't| does not| doesn't| cannot| can't| won't|"
        r" will not| never| are not able to| aren't able to| are not allowed to| may not)"
        r"(?: personally)? (?:recommend|endorse|advise on|give (?:legal |medical )?advice)"
        r"(?:ing)?\b(?:\W+\w+){0,4}?\W+(?:any|specific|particular|individual|products?|"
        r"services?|brands?|businesses|companies|providers?|firms?|one)\b",
        # A question handed back: "I can't tell you what you should do".
        r"\b(?:what|whether|which \w+|if) you (?:should|ought to)\b",
        r"\bshould you\b",
    ],
    "fr": [
        r"\b(?:je|nous|la bibliotheque|le personnel) ne (?:peux |pouvons |peut |puis )?"
        r"(?:pas |jamais )?(?:vous )?(?:recommander|recommande|recommandons|conseiller|"
        r"conseille|conseillons)(?: pas| jamais)?\b(?:\W+\w+){0,4}?\W+(?:aucun|aucune|"
        r"produits?|services?|marques?|entreprises?|commerces?|fournisseurs?|professionnels?|"
        r"particuliere?s?|precise?s?)\b",
        r"\b(?:ce que|si|quel \w+|quelle \w+) (?:vous devriez|tu devrais)\b",
    ],
}

# Signs that an answer names where its facts come from.
SOURCE_SIGNS = [
    r"https?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:ca|com|org|gov|net|edu|fr|int|info)\b",
    r"/catalog(?:ue)?/records?/\d+|\bcatalog(?:ue)? (?:record|entry)|\bnotice (?:du |de )?catalogue"
    r"|\bcall number\b|\bcote\b|\bisbn\b",
    r"\baccording to\b|\bsources?\s*:|\bsee also\b|\bpublished by\b|\bcited (?:in|by)\b"
    r"|\bselon (?!moi\b|nous\b)|\bd'apres (?!moi\b|nous\b)|\bpublie(?:e|s|es)? par\b"
    r"|\bvoir aussi\b|\bcite(?:e|s|es)? (?:dans|par)\b|\bsource\s*:",
]
# Signs read on the original text (case matters): quoted titles, names, acronyms.
TITLE = r"“[^”\n]{3,}”|\"[^\"\n]{3,}\"|«[^»\n]{3,}»|\*[^*\n]{3,}\*|(?<!\w)_[^_\n]{3,}_(?!\w)"
CAP = r"(?:[dlDL]['’])?[A-ZÀ-ÖØ-Þ][\w'’.&-]*"
_CONNECTOR = r"(?:of|the|and|for|on|in|de|du|des|la|le|les|et|pour|en|au|aux|d'|l'|&)"
# Two capitalised words, joined by a few connectors ("Library and Archives Canada") or, in
# French, where names run on in lower case, by up to seven words ("Agence de la consommation
# en matière financière du Canada").
NAME = {
    "en": CAP + r"(?:(?:\s+" + _CONNECTOR + r"){0,3}\s+" + CAP + r")+",
    "fr": CAP + r"(?:(?:\s+[a-zà-ÿ'’]+){0,7}\s+" + CAP + r")+",
}
ACRONYM = r"\b[A-Z]{2,6}\b"
# Capitalised because they start a sentence, not because they name something.
NOT_NAMES = frozenset(
    {
        *("I", "I'd", "I'm", "I've", "A", "An", "The", "You", "We", "It", "If", "In", "On"),
        *("For", "Yes", "No", "OK", "Hello", "Hi", "Dear", "My", "Our", "This", "That"),
        *("Je", "J'ai", "Vous", "Nous", "Le", "La", "Les", "L'", "Un", "Une", "Si", "Oui"),
        *("Non", "Bonjour", "Pour", "Dans", "Il", "Elle", "Ce", "Cette", "Mon", "Ma", "Notre"),
    }
)
NOT_ACRONYMS = frozenset({"OK", "IMO", "IMHO", "FYI", "PS", "AM", "PM", "TV"})
