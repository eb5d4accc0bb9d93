"""The demo city: Solingen's departments and categories.

Derived from data/solingen-categories.md (public sources; not the city's official list).
"""

from pathlib import Path

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
DISTRICTS_FILE = GEO_DIR / "solingen-stadtbezirke-demo.geojson"

# code, name, email
DEPARTMENTS = [
    ("tbs-stadtbild", "TBS – Stadtbildpflege und Straßengrün", "wildekippen@example.org"),
    ("tbs-licht", "TBS – Straßenbeleuchtung", "strassenbeleuchtung@example.org"),
    ("tbs-verkehr", "TBS – Verkehrstechnik", "verkehrstechnik@example.org"),
    ("tbs-gruen", "TBS – Grünanlagen", "gruenanlagen@example.org"),
    ("tbs-winter", "TBS – Winterdienst", "winterdienst@example.org"),
    ("tiefbau", "Tiefbauunterhaltung", "tiefbau@example.org"),
    ("sd67", "Stadtdienst Natur und Umwelt (SD 67)", "natur-umwelt@example.org"),
    ("ordnung", "Stadtdienst Ordnung", "ordnung@example.org"),
]

# code, German name, English name, icon, default department
CATEGORIES = [
    ("muell", "Wilde Müllkippe", "Illegal dumping", "trash", "tbs-stadtbild"),
    (
        "verschmutzung",
        "Verschmutzung / voller Papierkorb",
        "Litter / full bin",
        "bin",
        "tbs-stadtbild",
    ),
    ("strasse", "Schlagloch / Straßenschaden / Gehweg", "Pothole / road damage", "road", "tiefbau"),
    ("licht", "Straßenbeleuchtung defekt", "Street light out", "lamp", "tbs-licht"),
    ("ampel", "Ampel defekt", "Traffic light broken", "traffic-light", "tbs-verkehr"),
    ("schild", "Verkehrsschild beschädigt", "Damaged traffic sign", "sign", "tbs-verkehr"),
    (
        "gruen",
        "Grünanlage / Parkbank / Spielgerät beschädigt",
        "Park / bench / playground",
        "tree",
        "tbs-gruen",
    ),
    ("natur", "Bachtal / Wald / Biotop", "Stream valley / forest", "leaf", "sd67"),
    ("graffiti", "Graffiti / Vandalismus", "Graffiti / vandalism", "spray", "tbs-stadtbild"),
    ("winter", "Winterdienst (Fahrbahn)", "Winter road service", "snow", "tbs-winter"),
    (
        "ordnung",
        "Ordnungswidrigkeit (Littering, Falschparken)",
        "Public order offence",
        "badge",
        "ordnung",
    ),
]

# category, district code, department: one example of a local exception to the default.
# Burg/Höhscheid is mostly forest and stream valleys; there SD 67 looks after park damage too.
ROUTING_RULES = [("gruen", "4", "sd67")]

# One plausible description per category code, for synthetic reports.
SAMPLE_TEXTS = {
    "muell": "Hier liegt seit Tagen Sperrmüll am Straßenrand.",
    "verschmutzung": "Papierkorb quillt über, Müll weht auf den Spielplatz.",
    "strasse": "Großes Schlagloch auf der rechten Fahrspur, gefährlich für Radfahrende.",
    "licht": "Die Laterne vor Hausnummer 12 ist nachts dunkel.",
    "ampel": "Ampel an der Kreuzung zeigt dauerhaft Gelb.",
    "schild": "Verkehrsschild umgefahren, es liegt auf dem Gehweg.",
    "gruen": "Die Schaukel auf dem Spielplatz ist abgerissen.",
    "natur": "Umgestürzter Baum versperrt den Wanderweg im Bachtal.",
    "graffiti": "Frische Graffiti an der Unterführung.",
    "winter": "Straße seit heute Morgen spiegelglatt, nicht gestreut.",
    "ordnung": "Auto parkt seit einer Woche auf dem Radweg.",
}

# Guidance on the report form per category: group, one line of help, and a notice shown before
# sending (kind, text, link). The notices name who is responsible where the city is not.
GROUPS = {
    "strasse": "Straße und Verkehr",
    "licht": "Straße und Verkehr",
    "ampel": "Straße und Verkehr",
    "schild": "Straße und Verkehr",
    "winter": "Straße und Verkehr",
    "muell": "Sauberkeit",
    "verschmutzung": "Sauberkeit",
    "graffiti": "Sauberkeit",
    "gruen": "Grün und Natur",
    "natur": "Grün und Natur",
    "ordnung": "Ordnung",
}
HELP = {
    "strasse": "Schlaglöcher, lose Gehwegplatten, abgesackte Kanaldeckel.",
    "licht": "Eine Laterne ist dunkel, flackert oder brennt tagsüber. Die Nummer am Mast hilft.",
    "ampel": "Ampel dunkel, dauernd rot oder falsch geschaltet.",
    "schild": "Verkehrszeichen umgefahren, verdreht, zugewachsen oder unlesbar.",
    "winter": "Glätte oder Schnee auf Fahrbahnen, die die Stadt räumt.",
    "muell": "Abgeladener Sperrmüll, Bauschutt oder Säcke in der Landschaft.",
    "verschmutzung": "Überquellende Papierkörbe, Scherben, Hundekot an Wegen.",
    "graffiti": "Schmierereien und Beschädigungen an städtischen Flächen.",
    "gruen": "Kaputte Bänke, Spielgeräte, Zäune in Parks und auf Spielplätzen.",
    "natur": "Umgestürzte Bäume, verstopfte Bachläufe, Schäden im Wald.",
    "ordnung": "Falschparken, Littering und andere Ordnungswidrigkeiten.",
}
NOTICES = {
    "ampel": (
        "emergency",
        "Fällt eine Ampel an einer Kreuzung ganz aus und ist der Verkehr gefährdet, rufen Sie "
        "bitte sofort die Polizei unter 110.",
        None,
    ),
    "strasse": (
        "elsewhere",
        "Autobahnen betreut die Autobahn GmbH des Bundes, Bundes- und Landesstraßen außerhalb "
        "der Ortsdurchfahrten Straßen.NRW. Schäden an Gas-, Wasser- und Stromleitungen melden "
        "Sie den Stadtwerken.",
        "https://www.strassen.nrw.de/",
    ),
    "natur": (
        "emergency",
        "Liegt ein Baum auf der Straße oder droht er zu fallen, rufen Sie die Feuerwehr unter 112.",
        None,
    ),
}
# Extra questions per category: code, question, kind, required, choices, hint.
QUESTIONS: dict[str, list[tuple[str, str, str, bool, list[str], str | None]]] = {
    "licht": [
        (
            "mastnummer",
            "Nummer am Laternenmast",
            "text",
            False,
            [],
            "Steht meist auf einem Schild in Augenhöhe, z. B. „L 1234“.",
        ),
    ],
    "strasse": [
        (
            "fahrbahn",
            "Ist die Fahrbahn blockiert?",
            "choice",
            False,
            ["Nein", "Teilweise", "Ja, ganz"],
            None,
        ),
    ],
    "ampel": [
        ("anzahl", "Wie viele Ampeln sind betroffen?", "number", False, [], None),
    ],
}
