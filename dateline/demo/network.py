"""The demo network: four sites mirroring the reference network's shape.

Names, taglines and notices are written for the project; only the structure
(four topical sites, the military site's sections) follows the reference page.
"""

NETWORK = {
    "name": "Meridian Media Network",
    "copyright_notice": (
        "The content herein, unless otherwise known to be public domain, is Copyright "
        '{years} - Meridian Media Network. Articles labelled "by Staff Writers" include '
        "reports supplied to the network by industry news wires, press offices and the like; "
        "such articles are individually curated and edited by network staff on the basis of "
        "the report's information value to our readership. Advertising does not imply "
        "endorsement of any opinion, statement or information published by the network."
    ),
    "privacy_statement": (
        "Meridian Media Network does not require readers to register or log in to read its "
        "sites. Our web servers keep standard access logs (address, time, page requested) for "
        "fourteen days to keep the service running and to fend off abuse; we do not sell or "
        "share them. Newsletter subscribers' e-mail addresses are used only to send the "
        "newsletters they asked for, and every newsletter carries a one-click unsubscribe link. "
        "Contributions are processed by our payment providers; we never see card numbers. "
        "Write to privacy@meridian.example for a copy or the deletion of anything we hold about you."
    ),
    "first_year": 1995,
}

# (code, name, copyright holder line or "" for the network's own desk, kind)
AGENCIES = [
    ("AFP", "Agence France-Presse", "Agence France-Presse", "wire"),
    ("UPI", "United Press International", "United Press International", "wire"),
    ("IANS", "Indo-Asian News Service", "Indo-Asian News Service", "wire"),
    ("SPX", "Staff Writers", "", "staff"),
    ("ESA", "European Space Agency", "European Space Agency", "press_office"),
]

# slug: (name, host, tagline, [(section slug, section name), ...])
SITES = [
    (
        "spacedaily",
        "SpaceDaily",
        "spacedaily.localhost",
        ". Space Industry and Exploration News .",
        [
            ("launchers", "Launchers"),
            ("space-industry", "Space Industry"),
            ("satellites", "Satellites"),
            ("exploration", "Exploration"),
            ("astronomy", "Astronomy"),
            ("mars", "Mars"),
            ("moon", "Moon"),
            ("space-station", "Space Station"),
        ],
    ),
    (
        "spacewar",
        "SpaceWar",
        "spacewar.localhost",
        ". Defence and Military Space News .",
        [
            ("iraq-wars", "Iraq Wars"),
            ("missile-defense", "Missile Defense"),
            ("missiles", "Missiles"),
            ("drones", "Drones"),
            ("military-satellites", "Military Satellites"),
            ("weapons", "Weapons"),
            ("defense-industry", "Defense Industry"),
            ("politics", "Politics"),
            ("nano-tech", "Nano Tech"),
        ],
    ),
    (
        "terradaily",
        "TerraDaily",
        "terradaily.localhost",
        ". Earth Science and Environment News .",
        [
            ("climate", "Climate"),
            ("oceans", "Oceans"),
            ("earthquakes", "Earthquakes"),
            ("volcanoes", "Volcanoes"),
            ("farming", "Farming"),
            ("water", "Water"),
            ("forests", "Forests"),
            ("pollution", "Pollution"),
        ],
    ),
    (
        "energydaily",
        "Energy Daily",
        "energydaily.localhost",
        ". Energy and Power Industry News .",
        [
            ("solar", "Solar"),
            ("wind", "Wind"),
            ("nuclear", "Nuclear"),
            ("oil-and-gas", "Oil and Gas"),
            ("batteries", "Batteries"),
            ("grid", "Grid"),
            ("hydrogen", "Hydrogen"),
            ("fusion", "Fusion"),
        ],
    ),
]
