"""Synthetic, news-shaped wire stories in bulk for the demo network and benchmarks.

Everything here is standard library only (no Django) so the generator can be
used from management commands, scripts and tests alike.  All text is assembled
from the word lists and sentence templates in this module; company, institute
and person names are invented by combining made-up roots.

The hot path is deliberately plain: per story, one context dict of
pre-conjugated words is built, and sentence templates (pre-compiled
``str.format`` strings) are filled from it with ``format_map``.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from random import Random

from dateline.demo import network

__all__ = ["AGENCY_WEIGHTS", "GeneratedStory", "generate_stories"]


@dataclass(frozen=True, slots=True)
class GeneratedStory:
    site: str  # site slug
    section: str  # section slug
    headline: str  # 30-100 chars, sentence case, no final period
    byline: str  # "Staff Writers" for SPX, otherwise an invented person's name
    place: str  # dateline city
    agency: str  # agency code
    published_at: datetime  # timezone-aware UTC
    paragraphs: tuple[str, ...]  # plain text; a subhead is an element starting with "## "
    signoff: str  # e.g. "burs/srm/del" for AFP, often "" for others
    teaser: str  # <= 300 chars, from the first paragraph


# ---------------------------------------------------------------------------
# Tunables
# ---------------------------------------------------------------------------

AGENCY_WEIGHTS = {"AFP": 35, "UPI": 25, "IANS": 15, "SPX": 20, "ESA": 5}
ESA_SITE = "spacedaily"
STAFF_BYLINE = "Staff Writers"
SUBHEAD_SHARE = 0.4
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 6, 15
MIN_CHARS, MAX_CHARS = 1500, 4000  # summed paragraph lengths, subhead included
TEASER_MAX = 300

_AGENCY_CODES = {code for code, *_ in network.AGENCIES}
if not set(AGENCY_WEIGHTS) <= _AGENCY_CODES:  # pragma: no cover - guards network.py edits
    raise RuntimeError(f"unknown agency codes in weights: {set(AGENCY_WEIGHTS) - _AGENCY_CODES}")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


# ---------------------------------------------------------------------------
# Per-section vocabulary.
#
# actors  subjects as they appear mid-sentence; "+" marks a plural subject,
#         "@co" stands for an invented company of the section's site
# verbs   base forms taking one of `things` as object (first word is conjugated)
# things  singular nouns, head noun last ("cruise missile" -> "the missile")
# tails   circumstance phrases that follow the object
# stakes  infinitive phrases without "to"
# details sentence templates; {#a-b} is a random integer with thousands
#         separators, {%a-b} one without (years)
# heads   extra headline templates for the section
# ---------------------------------------------------------------------------

_SECTIONS: dict[str, dict[str, str | tuple[str, ...]]] = {
    # --- spacedaily -------------------------------------------------------
    "launchers": {
        "actors": "the space agency|@co|@co|the national space agency|a private rocket maker|"
        "the launch consortium|the state launch operator",
        "verbs": "launch|test-fire|roll out|unveil|fly|certify|assemble|ground",
        "things": "heavy-lift rocket|reusable booster|small-satellite launcher|solid-fuel rocket|"
        "launch vehicle|orbital rocket|suborbital rocket|cargo rocket|sounding rocket|"
        "methane-fuelled rocket",
        "adjs": "new|upgraded|three-stage|medium-lift|experimental|next-generation|two-stage|"
        "commercial|long-delayed|privately built",
        "topics": "launch cadence|booster recovery|engine reliability|launch costs|range safety|"
        "pad turnaround times|payload capacity|upper-stage performance",
        "tails": "from the coastal spaceport|from the northern launch site|from a floating platform|"
        "at the equatorial launch base|after two scrubbed attempts|ahead of schedule|"
        "for the first time",
        "stakes": "cut the cost of reaching orbit|ease a global shortage of launch capacity|"
        "compete with established launch providers|win more commercial satellite contracts|"
        "fly astronauts from home soil",
        "fields": "propulsion|launch systems|aerospace engineering|space transportation",
        "details": (
            "The {thing_s} stands {#40-120} metres tall and can lift about {#300-60000} "
            "kilograms to low Earth orbit.",
            "Liftoff came {few} minutes behind schedule after engineers cleared a late sensor "
            "warning.",
            "The first stage touched down on a landing barge about {#300-700} kilometres "
            "downrange, {attrib}.",
            "{Actor} said {it} aimed to fly {few} missions a year by {year_future}.",
            "Each flight costs roughly {money}, according to industry estimates.",
            "Engineers fired the engines for {#30-600} seconds during the final ground test.",
        ),
        "heads": "{adj} {thing} reaches orbit on {ordinal} flight {tail}|"
        "Engine issue delays {actor_hp} {adj} {thing} by {few} weeks|"
        "{actor_h} sets {year_future} date for {adj} {thing}",
    },
    "space-industry": {
        "actors": "@co|@co|@co|a satellite operator|a space start-up|the industry association|"
        "a group of investors|the space agency",
        "verbs": "acquire|fund|build|open|expand|sell|back|unveil",
        "things": "satellite factory|ground station network|propulsion business|"
        "earth-imaging venture|component plant|in-orbit servicing venture|mission control centre|"
        "test facility|spacecraft assembly line|data analytics unit",
        "adjs": "new|large|dedicated|state-backed|privately funded|European|Asian|flagship|second|"
        "loss-making",
        "topics": "supply chains|space insurance|export controls|investor appetite|"
        "orbital debris rules|satellite manufacturing|spectrum licensing|commercial demand",
        "tails": "near the capital|in a new technology park|at a former aircraft plant|"
        "in a deal announced overnight|as demand for satellite data grows|"
        "in a bid to cut costs|despite a funding squeeze",
        "stakes": "double its manufacturing capacity|tap rising demand for satellite data|"
        "reduce reliance on foreign suppliers|win a bigger share of government contracts|"
        "attract fresh private investment",
        "fields": "space economics|aerospace business|industrial policy|space law",
        "details": (
            "The deal values the business at about {money}, people familiar with the matter said.",
            "The site is expected to employ around {#150-2400} people when fully operational.",
            "{Actor} reported revenue of {money} last year, up {pct} percent.",
            "Private investment in space firms reached {money} in {year_past}, industry figures "
            "show.",
            "The order book now stands at {#12-90} spacecraft, {attrib}.",
        ),
        "heads": "{actor_h} raises {money} to {vbase} {adj} {thing}|"
        "Investors pour {money} into {adj} {thing} {tail}",
    },
    "satellites": {
        "actors": "@co|@co|the space agency|the weather agency|a satellite operator|"
        "the national mapping agency|a university consortium",
        "verbs": "launch|deploy|activate|decommission|order|unveil|test|relocate",
        "things": "weather satellite|communications satellite|earth-observation satellite|"
        "radar satellite|navigation satellite|cubesat|broadband satellite|"
        "geostationary satellite|tracking satellite|climate-monitoring satellite",
        "adjs": "new|second|replacement|high-resolution|low-cost|experimental|all-electric|"
        "compact|long-awaited|heavier",
        "topics": "orbital debris|spectrum allocation|data sharing|in-orbit reliability|"
        "signal interference|ground coverage|image resolution|collision avoidance",
        "tails": "ahead of schedule|after months of delays|as part of a wider constellation|"
        "for the first time|despite budget pressures|in a boost for regional coverage|"
        "following a ground software fix",
        "stakes": "improve storm forecasting|extend broadband to remote regions|"
        "track changes in sea ice|reduce the risk of collisions in orbit|"
        "give farmers better crop data",
        "fields": "remote sensing|satellite communications|orbital mechanics|geodesy",
        "details": (
            "The {thing_s}, which weighs about {#100-6500} kilograms, is designed to operate "
            "for {few} years.",
            "Controllers confirmed the spacecraft had deployed its solar arrays about {#20-90} "
            "minutes after separation.",
            "It joins a fleet of {#3-400} satellites already in service, {attrib}.",
            "The spacecraft carries {few} instruments, including a radar able to see through "
            "cloud.",
            "Ground stations in {few} countries will receive its data.",
        ),
        "heads": "{actor_hp} {adj} {thing} sends first images {tail}|"
        "{actor_h} loses contact with {adj} {thing} after {few} days",
    },
    "exploration": {
        "actors": "the space agency|@co|the mission team|an international science team|"
        "the planetary science division|the mission directorate",
        "verbs": "launch|approve|redesign|delay|unveil|fund|select|propose",
        "things": "asteroid probe|comet mission|deep-space probe|outer-planet orbiter|"
        "sample-return mission|solar probe|flyby mission|lander|ice-moon mission|"
        "asteroid deflection test",
        "adjs": "new|ambitious|low-cost|long-delayed|international|nuclear-powered|robotic|joint|"
        "scaled-down|bold",
        "topics": "planetary protection|deep-space communications|mission costs|sample handling|"
        "radiation shielding|launch windows|science returns|navigation accuracy",
        "tails": "after a lengthy review|ahead of a tight launch window|despite cost overruns|"
        "in a boost for planetary science|following a design overhaul|"
        "for a decade-long journey",
        "stakes": "unlock the origins of the solar system|return pristine samples to Earth|"
        "study icy worlds that may harbour oceans|test new deep-space navigation techniques",
        "fields": "planetary science|space exploration|astrobiology|deep-space navigation",
        "details": (
            "The probe will travel about {#200-9000} million kilometres before reaching its "
            "target in {year_future}.",
            "Signals from the spacecraft will take up to {#5-90} minutes to reach ground stations "
            "on Earth.",
            "The mission carries {few} science instruments built by teams in {few2} countries.",
            "Engineers said the {thing_s} had passed its final design review with {few} minor "
            "issues outstanding.",
        ),
        "heads": "{actor_hp} {adj} {thing} cleared for {year_future} launch|"
        "{topic} worries put {adj} {thing} on hold until {year_future}",
    },
    "astronomy": {
        "actors": "+astronomers|an international team of astronomers|+researchers|"
        "a team of astrophysicists|the observatory|+scientists",
        "verbs": "discover|detect|image|map|observe|identify|measure|spot",
        "things": "exoplanet|brown dwarf|galaxy cluster|supernova remnant|gamma-ray burst|"
        "black hole|stellar nursery|protoplanetary disc|fast radio burst|quasar",
        "adjs": "distant|faint|young|massive|unusual|nearby|previously unknown|record-breaking|"
        "fast-spinning|rare",
        "topics": "dark matter|galaxy formation|planet formation|cosmic expansion|"
        "stellar evolution|exoplanet atmospheres|gravitational waves|the early universe",
        "tails": "using a ground-based telescope|in archival data|with a space telescope|"
        "in a survey of the southern sky|for the first time|in infrared light|"
        "in data from a radio array",
        "stakes": "shed light on how galaxies formed|refine estimates of cosmic expansion|"
        "explain how planets form|test theories of gravity",
        "fields": "astrophysics|cosmology|radio astronomy|planetary science",
        "details": (
            "The object lies about {#40-9000} million light-years from Earth, the team said.",
            "The findings were published this week in a peer-reviewed journal after {few} years "
            "of analysis.",
            "The researchers combined observations from {few} telescopes on {few2} continents.",
            "Follow-up observations are planned with larger telescopes in {year_future}.",
            "The signal was picked up {#3-40} times over {few2} months of observations.",
        ),
        "heads": "{actor_h} {vact} {adj} {thing} that could help {stake}|"
        "Telescope survey finds {few} {adj} {things} {tail}",
    },
    "mars": {
        "actors": "the space agency|the rover team|+mission scientists|@co|"
        "the Mars orbiter team|a team of planetary scientists",
        "verbs": "find|detect|map|study|photograph|examine|identify|analyse",
        "things": "river delta|subsurface ice deposit|dust storm|crater lake bed|methane plume|"
        "clay-rich rock|dried-up lake|lava tube|dune field|mineral vein",
        "adjs": "vast|ancient|possible|large|seasonal|buried|unexpected|well-preserved|layered|"
        "striking",
        "topics": "past habitability|water ice|the Martian climate|sample return|"
        "landing site selection|radiation levels|the search for life|rover mobility",
        "tails": "near the equator|in the southern highlands|inside a large impact crater|"
        "close to the rover's landing site|in the northern plains|beneath the polar cap",
        "stakes": "reveal whether Mars once hosted life|guide the choice of future landing sites|"
        "show how the planet lost its water|support future crewed missions",
        "fields": "planetary geology|Mars science|astrobiology|planetary climate",
        "details": (
            "The rover has driven about {#5-40} kilometres since landing and collected {few} "
            "rock cores.",
            "Temperatures at the site drop to minus {#60-110} degrees Celsius at night.",
            "Images sent back over {few} days show layered rock up to {#5-300} metres thick.",
            "Orbiters have been studying the region since {year_past}.",
        ),
        "heads": "Rover finds {adj} {thing} {tail}, {topic} in focus|"
        "{adj} {thing} {tail} offers clues to {topic}",
    },
    "moon": {
        "actors": "the space agency|@co|the lunar programme|mission control|"
        "a private lunar company|the lunar science team",
        "verbs": "launch|test|unveil|deploy|select|fund|build|deliver",
        "things": "lunar lander|moon rover|lunar orbiter|crew lander|lunar habitat module|"
        "ice-prospecting probe|lunar relay satellite|pressurised rover|moon base module",
        "adjs": "new|robotic|uncrewed|small|prototype|commercial|upgraded|second|heavy|"
        "solar-powered",
        "topics": "lunar water ice|south pole landing sites|lunar dust|surface power|"
        "far-side communications|crew safety|landing accuracy|long surface stays",
        "tails": "for the lunar south pole|for a far-side landing|ahead of a crewed mission|"
        "in a boost for the lunar programme|after a string of delays|for a landing next year",
        "stakes": "prepare for a permanent human presence on the Moon|"
        "map water ice at the poles|test technologies for Mars|pave the way for lunar mining",
        "fields": "lunar science|space exploration|planetary geology|space robotics",
        "details": (
            "The {thing_s} is due to work for {few} Earth days before the lunar night sets in.",
            "The mission will use a relay satellite to talk to Earth, {attrib}.",
            "Engineers have run {#40-900} simulated landings to prepare for touchdown.",
            "The landing zone measures about {#2-30} kilometres across.",
        ),
        "heads": "{actor_hp} {adj} {thing} cleared for {year_future} landing|"
        "{actor_h} picks {adj} {thing} for {year_future} Moon mission",
    },
    "space-station": {
        "actors": "the space agency|+station managers|@co|mission control|"
        "+the partner agencies|the station crew",
        "verbs": "install|replace|deliver|repair|test|inspect|upgrade|attach",
        "things": "cargo ship|science module|robotic arm|airlock|solar array|water recycler|"
        "spacesuit|experiment rack|docking port|cooling pump",
        "adjs": "new|replacement|upgraded|commercial|inflatable|faulty|European-built|spare|"
        "leaking|heavier",
        "topics": "air leaks|crew health|station ageing|microgravity research|debris avoidance|"
        "life support|commercial stations|crew rotation",
        "tails": "during a spacewalk|ahead of a crew handover|after a minor air leak|"
        "as part of routine maintenance|using the station's robotic arm|"
        "before the next cargo flight",
        "stakes": "extend the life of the orbiting laboratory|prepare for commercial space stations|"
        "keep research running in orbit|support longer missions",
        "fields": "space medicine|microgravity research|space engineering|human spaceflight",
        "details": (
            "The spacewalk lasted {few} hours and {#2-59} minutes.",
            "The cargo ship carried about {#1500-3800} kilograms of supplies and experiments.",
            "{Few} astronauts are currently aboard the station.",
            "The outpost circles the planet roughly every 90 minutes at about 400 kilometres "
            "altitude.",
        ),
        "heads": "Spacewalkers {vbase} {adj} {thing} in {few}-hour outing|"
        "{adj} {thing} delays {ordinal} station cargo run by {few} days",
    },
    # --- spacewar ---------------------------------------------------------
    "iraq-wars": {
        "actors": "+coalition forces|the interior ministry|+Iraqi security forces|"
        "the defence ministry|the provincial council|+local police",
        "verbs": "secure|reopen|hand over|clear|inspect|rebuild|seize|guard",
        "things": "checkpoint|border crossing|weapons depot|highway|military base|oil pipeline|"
        "bridge|police station|airfield|power plant",
        "adjs": "key|strategic|former|damaged|disputed|northern|southern|main|abandoned|"
        "heavily guarded",
        "topics": "reconstruction|security handovers|militia activity|border security|"
        "displaced families|troop withdrawals|oil revenues|local governance",
        "tails": "north of the capital|in the western desert|near the Syrian border|"
        "in the southern oil region|outside the city of Mosul|along the main supply route",
        "stakes": "restore public services|ease sectarian tensions|"
        "allow displaced families to return home|speed up the handover of security duties",
        "fields": "Middle East security|conflict studies|regional politics|post-war reconstruction",
        "details": (
            "Officials said {#20-400} troops took part in the operation, which lasted {few} days.",
            "The area had been closed to traffic for {few} months.",
            "No casualties were reported, {attrib}.",
            "Rebuilding the area is expected to cost about {money}.",
        ),
        "heads": "{actor_h} {vact} {adj} {thing} after {few}-week operation|"
        "Iraqi officials hail reopening of {adj} {thing} {tail}",
    },
    "missile-defense": {
        "actors": "the missile defence agency|the navy|@co|the air force|the defence ministry|"
        "+allied forces",
        "verbs": "test|deploy|upgrade|order|install|activate|field|unveil",
        "things": "interceptor|radar system|missile shield|air defence battery|"
        "early-warning radar|sea-based interceptor|tracking radar|launcher|command network",
        "adjs": "new|upgraded|mobile|long-range|advanced|additional|layered|second|"
        "cheaper|prototype",
        "topics": "intercept rates|hypersonic threats|radar coverage|early warning|"
        "system integration|allied cooperation|decoy discrimination|interceptor stocks",
        "tails": "at a Pacific test range|near the capital|on the northern border|"
        "aboard a destroyer|at a desert proving ground|in a joint exercise",
        "stakes": "counter a growing ballistic missile threat|protect major cities|"
        "reassure regional allies|close gaps in radar coverage",
        "fields": "missile defence|arms control|strategic studies|air power",
        "details": (
            "The target missile was destroyed about {#60-250} kilometres above the ocean, "
            "{attrib}.",
            "The programme has cost {money} since {year_past}.",
            "It was the {ordinal} intercept test of the year.",
            "Radar operators tracked the target for {#40-600} seconds before the intercept.",
        ),
        "heads": "{adj} {thing} downs target in {ordinal} test {tail}|"
        "{actor_h} {vact} {adj} {thing} as missile threat grows",
    },
    "missiles": {
        "actors": "the army|the navy|the defence ministry|the strategic forces command|"
        "+military officials|@co",
        "verbs": "test-fire|launch|unveil|display|deploy|develop|order|upgrade",
        "things": "cruise missile|ballistic missile|anti-ship missile|hypersonic missile|"
        "surface-to-air missile|rocket system|submarine-launched missile|glide vehicle",
        "adjs": "new|long-range|upgraded|solid-fuel|nuclear-capable|medium-range|"
        "precision-guided|home-built|experimental|road-mobile",
        "topics": "missile range|guidance systems|warhead design|regional deterrence|"
        "export controls|arms control talks|test transparency|launch readiness",
        "tails": "in a military exercise|for the first time|amid regional tensions|"
        "days before a major summit|in a show of force|despite international criticism",
        "stakes": "strengthen deterrence|counter rival naval forces|modernise an ageing arsenal|"
        "extend strike range across the region",
        "fields": "missile technology|arms control|strategic studies|nonproliferation",
        "details": (
            "The missile flew about {#200-1500} kilometres before falling into the sea, {attrib}.",
            "It reached an altitude of around {#50-900} kilometres.",
            "It was the {ordinal} test of its kind this year.",
            "Analysts said the {thing_s} appeared to be a modified version of a design first "
            "shown in {year_past}.",
            "Neighbouring countries said they were analysing the flight data.",
        ),
        "heads": "{actor_h} {vact} {adj} {thing}, {few} weeks after last test|"
        "{adj} {thing} flies {#200-1500} km in test",
    },
    "drones": {
        "actors": "the air force|the army|@co|@co|the border agency|the navy|+police",
        "verbs": "deploy|test|order|unveil|ground|fly|arm|develop",
        "things": "surveillance drone|attack drone|cargo drone|loitering munition|drone swarm|"
        "unmanned helicopter|high-altitude drone|drone interceptor|underwater drone|"
        "reconnaissance drone",
        "adjs": "new|armed|long-endurance|solar-powered|autonomous|low-cost|stealthy|"
        "lightweight|jet-powered|home-built",
        "topics": "autonomy rules|airspace safety|counter-drone defences|battlefield surveillance|"
        "export licences|pilot training|data links|swarm tactics",
        "tails": "for the first time|amid growing regional tensions|under a fast-tracked programme|"
        "despite budget pressures|in a bid to cut costs|as part of a wider modernisation drive",
        "stakes": "watch over long land borders|reduce risks to pilots|counter cheap enemy drones|"
        "patrol remote coastlines",
        "fields": "unmanned systems|military aviation|defence technology|security studies",
        "details": (
            "The {thing_s} can stay airborne for up to {#8-40} hours, {attrib}.",
            "It has a wingspan of {#3-25} metres and can carry a payload of about {#20-450} "
            "kilograms.",
            "The contract covers {#12-240} aircraft and training for ground crews.",
            "Counter-drone systems were deployed at {#3-40} sites last year.",
        ),
        "heads": "{actor_h} to buy {#12-240} {adj} {things}|"
        "{adj} {thing} logs {#8-40}-hour flight in {ordinal} round of trials",
    },
    "military-satellites": {
        "actors": "the space force|the defence ministry|@co|the military intelligence agency|"
        "the air force|the space command",
        "verbs": "launch|deploy|order|unveil|operate|test|manoeuvre|replace",
        "things": "spy satellite|missile-warning satellite|military communications satellite|"
        "navigation satellite|reconnaissance satellite|satellite constellation|"
        "signals intelligence satellite|inspector satellite|radar imaging satellite",
        "adjs": "new|classified|secure|next-generation|jam-resistant|small|upgraded|dual-use|"
        "manoeuvrable|second",
        "topics": "space domain awareness|anti-satellite weapons|orbital debris|"
        "secure communications|signal jamming|space traffic|resilient constellations|"
        "ground control",
        "tails": "for the first time|under a classified programme|amid rising tensions in orbit|"
        "as part of a wider constellation|ahead of schedule|after a lengthy delay",
        "stakes": "protect military communications from jamming|detect missile launches faster|"
        "track rival satellites|keep forces connected in remote regions",
        "fields": "space security|military space|strategic studies|arms control",
        "details": (
            "The satellite will operate in an orbit about {#500-36000} kilometres above Earth.",
            "The constellation is expected to grow to {#12-400} spacecraft by {year_future}.",
            "Officials declined to give details of the payload, citing security.",
            "The contract is worth {money}, {attrib}.",
        ),
        "heads": "Rival spacecraft shadows {actor_hp} {adj} {thing}|"
        "{actor_h} orders {few} {adj} {things}",
    },
    "weapons": {
        "actors": "the army|@co|@co|the defence ministry|the marine corps|the navy|"
        "the special operations command",
        "verbs": "field|test|order|unveil|deploy|upgrade|retire|develop",
        "things": "howitzer|rifle|laser weapon|railgun|armoured vehicle|tank|air-defence gun|"
        "mortar system|combat vehicle|electronic warfare system",
        "adjs": "new|lighter|upgraded|modular|long-range|next-generation|prototype|advanced|"
        "cheaper|home-built",
        "topics": "ammunition supplies|soldier protection|directed energy|artillery range|"
        "maintenance costs|battlefield networking|procurement reform|training needs",
        "tails": "for the first time|ahead of a major exercise|under a fast-tracked contract|"
        "despite delays|as part of a wider modernisation plan|after years of trials",
        "stakes": "increase firepower at the front line|lighten the load on infantry|"
        "replace Cold War-era equipment|counter drone attacks more cheaply",
        "fields": "land warfare|defence procurement|military technology|security studies",
        "details": (
            "Deliveries of the {thing_s} are due to start in {year_future}.",
            "The military plans to buy {#40-900} units under a contract worth {money}.",
            "Trials showed the {thing_s} could hit targets up to {#2-70} kilometres away.",
            "Around {#30-90} percent of the parts will be made by domestic suppliers.",
        ),
        "heads": "{actor_h} picks {adj} {thing} after {few}-year contest|"
        "{actor_hp} {adj} {thing} passes field trials {tail}",
    },
    "defense-industry": {
        "actors": "@co|@co|@co|a defence contractor|the defence procurement agency|a shipbuilder|"
        "an arms maker",
        "verbs": "win|sign|announce|secure|lose|chase|finalise|expand",
        "things": "frigate contract|fighter jet deal|ammunition order|tank upgrade contract|"
        "maintenance contract|overseas sales deal|submarine programme|helicopter order|"
        "radar contract|missile production deal",
        "adjs": "new|lucrative|multi-year|record|government|joint|long-awaited|disputed|"
        "fast-tracked|multi-billion-dollar",
        "topics": "production capacity|export controls|supply-chain bottlenecks|defence budgets|"
        "workforce shortages|industrial consolidation|offset agreements|cost overruns",
        "tails": "as governments boost military spending|amid a surge in orders|"
        "after a lengthy competition|despite a legal challenge|in a boost for jobs|"
        "as part of a wider restructuring",
        "stakes": "meet surging demand for munitions|secure thousands of manufacturing jobs|"
        "expand into new export markets|cut delivery times",
        "fields": "defence economics|industrial policy|aerospace and defence|security studies",
        "details": (
            "The contract is worth {money} and runs until {year_future}.",
            "The company employs about {#2000-60000} people across {#3-30} sites.",
            "Its shares rose {#1-12}.{#0-9} percent in trading on {weekday}.",
            "Order backlogs across the sector have reached {money}, analysts estimate.",
        ),
        "heads": "{actor_h} {vact} {money} {thing}|Defence firms chase {money} {thing} {tail}",
    },
    "politics": {
        "actors": "+lawmakers|the defence committee|the government|the senate|"
        "+opposition parties|the cabinet|the president|the parliament",
        "verbs": "approve|block|debate|back|reject|propose|delay|review",
        "things": "defence budget|arms sales bill|military spending plan|security pact|"
        "arms control treaty|conscription law|sanctions package|troop deployment plan|"
        "procurement reform|defence review",
        "adjs": "new|controversial|revised|draft|long-delayed|sweeping|cross-party|record|"
        "scaled-back|disputed",
        "topics": "military spending|alliance commitments|arms exports|civilian oversight|"
        "conscription|sanctions|regional security|care for veterans",
        "tails": "after a heated debate|in a late-night session|amid public protests|"
        "ahead of a summit|despite opposition objections|by a narrow margin",
        "stakes": "meet alliance spending targets|tighten oversight of arms exports|"
        "reshape the armed forces|ease tensions with neighbours",
        "fields": "international relations|defence policy|political science|security studies",
        "details": (
            "A final vote is expected within {few} weeks.",
            "The plan would raise defence spending by {pct} percent over {few} years.",
            "Opinion polls show {pct} percent of voters support higher military spending.",
            "The debate lasted more than {#3-14} hours.",
        ),
        "heads": "Vote on {adj} {thing} delayed by {few} weeks over {topic}|"
        "Row over {topic} stalls {adj} {thing} {tail}",
    },
    "nano-tech": {
        "actors": "+researchers|a team of engineers|@co|a university lab|+scientists|"
        "the defence research agency",
        "verbs": "develop|demonstrate|unveil|test|build|patent|design|fabricate",
        "things": "nanosensor|graphene coating|quantum sensor|nanoscale transistor|"
        "self-healing material|metamaterial|molecular filter|nanofibre armour|"
        "carbon nanotube cable|nanoparticle catalyst",
        "adjs": "new|ultra-thin|flexible|low-cost|lightweight|self-assembling|heat-resistant|"
        "experimental|more efficient|printable",
        "topics": "manufacturing at scale|material toxicity|sensor sensitivity|"
        "battlefield applications|quantum effects|heat management|durability|"
        "production costs",
        "tails": "in laboratory tests|for the first time|using a new fabrication technique|"
        "at room temperature|after years of research|with military funding",
        "stakes": "detect chemical agents faster|make body armour lighter|"
        "shrink electronics further|protect equipment from extreme heat",
        "fields": "materials science|nanotechnology|applied physics|chemical engineering",
        "details": (
            "The material is about {#2-90} nanometres thick, thousands of times thinner than a "
            "human hair.",
            "In tests, the {thing_s} performed {few} times better than existing designs.",
            "The work was published in a peer-reviewed journal this week.",
            "The team hopes to produce a commercial version within {few} years.",
        ),
        "heads": "{adj} {thing} could {stake}, {actor_h} {says}|"
        "{actor_h} {vact} {adj} {thing} that could {stake}",
    },
    # --- terradaily -------------------------------------------------------
    "climate": {
        "actors": "+scientists|the weather agency|+climate researchers|the UN climate body|"
        "an international research team|the environment ministry",
        "verbs": "publish|release|issue|present|unveil|update|revise|launch",
        "things": "climate report|temperature record|emissions inventory|heat warning|"
        "carbon budget estimate|sea-level projection|drought assessment|climate model|"
        "adaptation plan",
        "adjs": "new|stark|updated|long-awaited|preliminary|detailed|regional|global|annual|"
        "sobering",
        "topics": "global warming|extreme heat|carbon emissions|sea-level rise|"
        "adaptation funding|climate targets|methane emissions|heatwaves",
        "tails": "ahead of climate talks|after a record-hot summer|amid growing public concern|"
        "as temperatures soared|for the first time|in a blow to climate targets",
        "stakes": "cut greenhouse gas emissions faster|help cities adapt to extreme heat|"
        "keep warming below agreed limits|protect vulnerable coastal communities",
        "fields": "climate science|atmospheric physics|environmental policy|meteorology",
        "details": (
            "Average temperatures last year were {#1-2}.{#0-9} degrees Celsius above "
            "pre-industrial levels, the report found.",
            "Emissions rose {#1-6}.{#0-9} percent in {year_past}, according to the data.",
            "The study drew on records from more than {#200-9000} weather stations.",
            "{Few} of the past {#10-15} years were among the hottest on record.",
        ),
        "heads": "{adj} {thing} warns of worsening {topic} {tail}|"
        "World heading for {#2-3}.{#0-9}C of warming by {%2080-2100}, {adj} {thing} says",
    },
    "oceans": {
        "actors": "+marine scientists|+researchers|the fisheries ministry|"
        "an ocean research institute|+conservation groups|the coast guard",
        "verbs": "map|survey|document|detect|monitor|record|study|discover",
        "things": "marine heatwave|coral reef|deep-sea trench|kelp forest|seagrass meadow|"
        "plastic patch|fish stock|dead zone|underwater volcano|whale migration route",
        "adjs": "vast|previously unknown|severe|threatened|remote|large|shallow|fragile|"
        "record-breaking|shrinking",
        "topics": "coral bleaching|ocean acidification|overfishing|marine protected areas|"
        "sea temperatures|plastic pollution|deep-sea mining|ocean currents",
        "tails": "off the northern coast|in the South Pacific|near a chain of islands|"
        "in the Indian Ocean|along the continental shelf|in the North Atlantic",
        "stakes": "protect fragile reef ecosystems|help fish stocks recover|"
        "track warming seas more precisely|guide new marine protection rules",
        "fields": "marine biology|oceanography|fisheries science|marine conservation",
        "details": (
            "Sea surface temperatures in the area were {#1-4}.{#0-9} degrees Celsius above normal.",
            "The survey covered about {#500-90000} square kilometres of sea floor.",
            "Divers recorded more than {#40-600} species at the site.",
            "Some {pct} percent of the reef showed signs of bleaching, the team said.",
        ),
        "heads": "{adj} {thing} found {tail} in {few}-week survey|"
        "Alarm over {adj} {thing} {tail} as {topic} fears grow",
    },
    "earthquakes": {
        "actors": "+seismologists|the geological survey|+emergency services|"
        "the disaster management agency|+rescue teams|the seismology institute",
        "verbs": "record|detect|measure|map|register|report|monitor|locate",
        "things": "earthquake|aftershock sequence|fault rupture|tremor|quake swarm|seismic gap|"
        "landslide|ground uplift",
        "adjs": "strong|shallow|moderate|powerful|deep|unexpected|rare|sudden|prolonged|damaging",
        "topics": "building codes|early warning systems|aftershocks|tsunami risk|fault mapping|"
        "emergency response|earthquake preparedness|seismic hazard",
        "tails": "off the southern coast|in a mountainous region|near a major city|"
        "in the early hours|under the sea floor|along a known fault line",
        "stakes": "improve earthquake early warnings|make buildings safer|"
        "speed up rescue efforts|better assess tsunami risk",
        "fields": "seismology|geophysics|disaster risk reduction|earth sciences",
        "details": (
            "The quake struck at a depth of {#5-90} kilometres, {attrib}.",
            "It had a preliminary magnitude of {#4-7}.{#0-9}.",
            "More than {#10-300} aftershocks were recorded in the following {#12-72} hours.",
            "There were no immediate reports of serious damage, {attrib}.",
        ),
        "heads": "{#4-7}.{#0-9}-magnitude quake strikes {tail} near {place}|"
        "{adj} {thing} rattles residents {tail} near {place}",
    },
    "volcanoes": {
        "actors": "+volcanologists|the volcano observatory|the civil protection agency|"
        "+authorities|+scientists|the geological survey",
        "verbs": "monitor|record|detect|map|observe|measure|track|report",
        "things": "ash plume|lava flow|eruption|lava dome|gas emission|magma chamber|crater lake|"
        "pyroclastic flow|volcanic tremor",
        "adjs": "new|large|growing|fresh|towering|slow-moving|sustained|sudden|explosive|second",
        "topics": "evacuation planning|aviation safety|volcanic gas|eruption forecasting|ash fall|"
        "lava hazards|monitoring networks|crater stability",
        "tails": "on the island's southern flank|near several villages|at the summit crater|"
        "overnight|in a remote highland region|for the first time in decades",
        "stakes": "keep nearby villages safe|warn airlines of ash clouds sooner|"
        "forecast eruptions more accurately|protect farmland from ash",
        "fields": "volcanology|geophysics|earth sciences|hazard management",
        "details": (
            "The ash column rose about {#2-15} kilometres above the summit.",
            "Authorities raised the alert level and told about {#500-20000} residents to stay "
            "away from the crater.",
            "The volcano last erupted in {%1950-2015}, {attrib}.",
            "Sulphur dioxide emissions reached {#1000-40000} tonnes a day.",
        ),
        "heads": "{adj} {thing} forces {#500-20000} from homes {tail}|"
        "Airlines on alert as {actor_h} {vact} {adj} {thing} {tail}",
    },
    "farming": {
        "actors": "+farmers|the agriculture ministry|@co|+crop scientists|a farmers' union|"
        "the food agency",
        "verbs": "develop|test|approve|introduce|expand|back|launch|promote",
        "things": "drought-tolerant wheat variety|high-yield rice variety|pest-resistant maize|"
        "fertiliser subsidy|irrigation scheme|crop insurance scheme|soil health programme|"
        "livestock vaccine|vertical farm|seed bank",
        "adjs": "new|national|pilot|low-cost|gene-edited|climate-resilient|regional|expanded|"
        "organic|subsidised",
        "topics": "crop yields|food prices|soil health|fertiliser costs|drought|pest outbreaks|"
        "farm incomes|food security",
        "tails": "ahead of the planting season|after a poor harvest|amid soaring food prices|"
        "in drought-hit regions|for smallholder farmers|across the grain belt",
        "stakes": "boost yields in dry regions|cut fertiliser use|protect farm incomes|"
        "strengthen food security",
        "fields": "agronomy|agricultural economics|food security|plant science",
        "details": (
            "Yields in trial plots rose by {pct} percent compared with conventional varieties.",
            "The scheme will cover about {#10000-900000} hectares, {attrib}.",
            "Wheat prices have risen {pct} percent over the past year.",
            "About {#2-60} million farmers could benefit, officials estimate.",
        ),
        "heads": "{adj} {thing} lifts yields by {pct} percent|"
        "{actor_h} {vact} {adj} {thing} to tackle {topic}",
    },
    "water": {
        "actors": "the water authority|@co|the environment ministry|+city officials|"
        "+hydrologists|the river basin commission",
        "verbs": "build|open|approve|expand|upgrade|launch|commission|plan",
        "things": "desalination plant|reservoir|water recycling scheme|flood barrier|"
        "irrigation canal|treatment plant|groundwater recharge project|pipeline|"
        "rainwater harvesting programme|dam",
        "adjs": "new|large|long-planned|solar-powered|upgraded|regional|emergency|modern|second|"
        "controversial",
        "topics": "water shortages|groundwater depletion|flood defences|drinking water quality|"
        "drought|river pollution|water tariffs|leaking pipes",
        "tails": "on the outskirts of the capital|in the drought-stricken south|"
        "along the river delta|after months of rationing|ahead of the dry season|"
        "for the first time",
        "stakes": "ease chronic water shortages|protect low-lying districts from floods|"
        "reduce reliance on groundwater|bring clean water to rural villages",
        "fields": "hydrology|water resources|environmental engineering|urban planning",
        "details": (
            "The {thing_s} will supply about {#50000-900000} cubic metres of water a day.",
            "Reservoir levels stood at {pct} percent of capacity last month.",
            "Around {#100000-5000000} people in the region lack reliable access to drinking water.",
            "The project is expected to cost {money}.",
        ),
        "heads": "{adj} {thing} to ease {topic} by {year_future}|"
        "Taps run dry {tail} as {actor_h} delays {adj} {thing}",
    },
    "forests": {
        "actors": "the forestry department|+conservationists|+researchers|"
        "the environment ministry|+indigenous groups|a timber company",
        "verbs": "protect|restore|survey|map|replant|monitor|log|designate",
        "things": "rainforest reserve|mangrove forest|old-growth forest|peatland forest|"
        "woodland corridor|logging concession|national park|cloud forest|forest reserve|"
        "tree plantation",
        "adjs": "vast|degraded|remote|protected|coastal|ancient|fragile|new|burned|disputed",
        "topics": "deforestation|wildfires|illegal logging|carbon storage|biodiversity|"
        "land rights|reforestation|forest fires",
        "tails": "in the Amazon basin|on the island of Borneo|in the Congo basin|"
        "along the northern border|in the highlands|near the coast",
        "stakes": "slow the loss of tropical forest|protect endangered species|store more carbon|"
        "support indigenous communities",
        "fields": "forest ecology|conservation biology|environmental science|land use",
        "details": (
            "Satellite data show {#1000-90000} hectares of forest were lost last year.",
            "The area is home to more than {#50-900} species of birds.",
            "Volunteers planted about {#10000-900000} seedlings, {attrib}.",
            "Fire crews battled {#5-200} blazes in the region over the past week.",
        ),
        "heads": "{adj} {thing} shrinks by {pct} percent|"
        "Deforestation alarm as {actor_h} {vact} {adj} {thing}",
    },
    "pollution": {
        "actors": "the environment agency|+city authorities|+researchers|@co|+health officials|"
        "+environmental groups",
        "verbs": "detect|measure|monitor|track|investigate|report|clean up|map",
        "things": "microplastic contamination|smog level|chemical spill|air pollution hotspot|"
        "toxic discharge|oil slick|lead contamination|pesticide residue|illegal dumping site|"
        "ozone level",
        "adjs": "high|dangerous|persistent|widespread|unusual|record|fresh|elevated|significant|"
        "worrying",
        "topics": "air quality|plastic waste|water contamination|industrial emissions|"
        "vehicle exhaust|health risks|chemical regulation|waste management",
        "tails": "near an industrial zone|in the city centre|along the river|"
        "downstream of a factory|in several coastal towns|around the port",
        "stakes": "cut deadly air pollution|protect drinking water supplies|"
        "hold polluters to account|reduce plastic waste",
        "fields": "environmental health|toxicology|environmental chemistry|public health",
        "details": (
            "Fine particle levels reached {#80-600} micrograms per cubic metre, far above health "
            "guidelines.",
            "Samples from {#10-200} sites were tested over {few} months.",
            "Officials said {#2-40} factories had been ordered to suspend operations.",
            "Residents were advised to stay indoors, {attrib}.",
        ),
        "heads": "{adj} {thing} {tail} prompts health warning in {place}|"
        "{actor_h} {vact} {adj} {thing} after {#10-200} complaints",
    },
    # --- energydaily ------------------------------------------------------
    "solar": {
        "actors": "@co|@co|the energy ministry|a state utility|+researchers|a solar developer|"
        "the grid operator",
        "verbs": "build|open|unveil|commission|approve|finance|connect|plan",
        "things": "solar farm|rooftop solar programme|floating solar plant|solar panel factory|"
        "perovskite cell|solar-plus-storage project|agrivoltaic project|solar park|"
        "thin-film module|solar tender",
        "adjs": "new|large|record-setting|utility-scale|low-cost|high-efficiency|desert|"
        "community|gigawatt-scale|second",
        "topics": "panel prices|grid connection queues|land use|module efficiency|supply chains|"
        "solar subsidies|curtailment|panel recycling",
        "tails": "in the desert south|on former mining land|ahead of schedule|"
        "despite falling power prices|under a government tender|near the capital",
        "stakes": "cut reliance on imported fuel|meet renewable energy targets|"
        "lower electricity bills|power hundreds of thousands of homes",
        "fields": "photovoltaics|energy economics|renewable energy|power systems",
        "details": (
            "The project has a capacity of {#50-2000} megawatts, enough to power about "
            "{#20000-900000} homes.",
            "Panel prices have fallen {pct} percent over the past {few} years.",
            "The cells reached an efficiency of {#20-33}.{#0-9} percent in laboratory tests.",
            "Construction is due to finish in {year_future}.",
        ),
        "heads": "{actor_h} {vact} {#50-2000}-megawatt {thing}|{money} {adj} {thing} to {stake}",
    },
    "wind": {
        "actors": "@co|@co|a wind developer|the energy ministry|the grid operator|"
        "a turbine maker|the offshore energy regulator",
        "verbs": "build|approve|install|commission|unveil|finance|auction|connect",
        "things": "offshore wind farm|onshore wind project|floating wind turbine|"
        "turbine blade factory|wind auction|repowering project|transmission link|wind zone",
        "adjs": "new|large|record-size|deep-water|second|long-delayed|community-owned|"
        "15-megawatt|cross-border|flagship",
        "topics": "turbine costs|port capacity|seabed leases|wind subsidies|bird safety|"
        "supply-chain strains|permitting delays|grid connections",
        "tails": "in the North Sea|off the west coast|on a windswept plateau|"
        "after years of delays|under a government auction|despite rising costs",
        "stakes": "supply clean power to millions of homes|cut power sector emissions|"
        "revive coastal manufacturing|meet offshore wind targets",
        "fields": "wind energy|energy economics|marine engineering|power systems",
        "details": (
            "The {thing_s} will have a capacity of {#100-3000} megawatts.",
            "Each turbine stands about {#150-280} metres tall.",
            "Turbine costs have risen {pct} percent since {year_past}, according to industry data.",
            "The project is expected to create around {#300-6000} jobs during construction.",
        ),
        "heads": "{actor_h} {vact} {#100-3000}-megawatt {thing}|"
        "Wind sector cheers {money} {thing} {tail}",
    },
    "nuclear": {
        "actors": "the nuclear regulator|@co|the energy ministry|the state nuclear company|"
        "the atomic energy agency|the plant operator",
        "verbs": "approve|restart|build|shut|inspect|refuel|license|upgrade",
        "things": "reactor|small modular reactor|nuclear plant|waste repository|"
        "fuel fabrication plant|research reactor|uranium enrichment plant|cooling system",
        "adjs": "new|ageing|idled|second|experimental|advanced|large|coastal|pressurised-water|"
        "French-designed",
        "topics": "reactor safety|nuclear waste|uranium supplies|plant life extensions|"
        "construction costs|public acceptance|regulatory approval|decommissioning",
        "tails": "after a lengthy safety review|despite local opposition|ahead of winter|"
        "for the first time in a decade|amid an energy crunch|following a court ruling",
        "stakes": "secure low-carbon baseload power|cut dependence on gas imports|"
        "revive the nuclear supply chain|keep the grid stable in winter",
        "fields": "nuclear engineering|energy policy|radiation protection|nuclear physics",
        "details": (
            "The reactor has a capacity of {#300-1600} megawatts.",
            "The plant first came online in {%1970-2005}.",
            "Nuclear power supplies about {pct} percent of the country's electricity.",
            "Inspectors found {few} minor issues, none of them safety-related, {attrib}.",
        ),
        "heads": "{actor_h} {vact} {adj} {thing} after {few}-year delay|"
        "{actor_hp} {adj} {thing} back online after {few}-month outage",
    },
    "oil-and-gas": {
        "actors": "@co|@co|the oil ministry|a state oil company|the energy regulator|"
        "+oil producers|a drilling contractor",
        "verbs": "discover|develop|approve|shut|acquire|expand|open|sell",
        "things": "offshore oil field|gas field|LNG terminal|refinery|pipeline|shale play|"
        "drilling rig|gas storage site|export terminal|oil block",
        "adjs": "new|major|deep-water|giant|ageing|onshore|second|floating|untapped|disputed",
        "topics": "crude prices|production quotas|gas supplies|methane leaks|refining margins|"
        "export revenues|energy security|exploration spending",
        "tails": "in the Gulf|off the west African coast|in the North Sea|in the Arctic|"
        "despite low prices|amid supply concerns",
        "stakes": "boost export revenues|ease gas shortages in Europe|replace declining output|"
        "secure long-term energy supplies",
        "fields": "energy economics|petroleum engineering|energy security|commodity markets",
        "details": (
            "Brent crude traded at around {#55-110} dollars a barrel on {weekday}.",
            "The field holds an estimated {#80-2000} million barrels of oil equivalent.",
            "Output is expected to reach {#20000-400000} barrels per day by {year_future}.",
            "The project will cost about {money}, {attrib}.",
        ),
        "heads": "{actor_h} {vact} {adj} {thing} in {money} deal|"
        "Oil prices {move} as {actor_h} {vact} {thing}",
    },
    "batteries": {
        "actors": "@co|@co|a battery maker|+researchers|an automaker|the industry ministry|"
        "a mining company",
        "verbs": "build|open|unveil|develop|test|announce|expand|scrap",
        "things": "gigafactory|solid-state battery|sodium-ion battery|grid battery|"
        "lithium refinery|recycling plant|battery cell|cathode plant|iron-air battery|"
        "fast-charging battery",
        "adjs": "new|large|cheaper|longer-lasting|high-density|cobalt-free|European|second|"
        "prototype|flagship",
        "topics": "lithium prices|battery recycling|charging times|supply chains|fire safety|"
        "raw material sourcing|cell costs|energy density",
        "tails": "in the industrial north|near a major port|with government support|"
        "ahead of schedule|despite slowing demand|as electric car sales climb",
        "stakes": "cut the cost of electric cars|store surplus renewable power|"
        "secure supplies of critical minerals|reduce reliance on imported cells",
        "fields": "electrochemistry|materials science|energy storage|industrial policy",
        "details": (
            "The plant will produce {#8-60} gigawatt-hours of cells a year.",
            "The cells retained {#80-97} percent of their capacity after {#1000-8000} charging "
            "cycles.",
            "Lithium prices have fallen {pct} percent from their peak.",
            "The factory will employ about {#800-5000} people.",
        ),
        "heads": "{adj} {thing} charges in {#6-20} minutes, {actor_h} {says}|"
        "{actor_h} {vact} {money} {thing} {tail}",
    },
    "grid": {
        "actors": "the grid operator|@co|the energy regulator|a state utility|"
        "the transmission company|the energy ministry",
        "verbs": "build|approve|upgrade|connect|commission|unveil|plan|fund",
        "things": "transmission line|interconnector|substation|smart meter rollout|"
        "battery storage site|undersea cable|grid control centre|high-voltage link|"
        "demand response scheme",
        "adjs": "new|cross-border|long-distance|upgraded|major|regional|second|digital|"
        "long-delayed|700-kilometre",
        "topics": "blackouts|grid congestion|connection queues|power prices|winter demand|"
        "cyber security|network investment|frequency stability",
        "tails": "ahead of winter|after a major blackout|across the northern region|"
        "under a national plan|despite local objections|to relieve congestion",
        "stakes": "prevent blackouts|bring more renewable power onto the grid|"
        "cut connection waiting times|keep power prices in check",
        "fields": "power systems|electrical engineering|energy economics|grid regulation",
        "details": (
            "The line will carry up to {#500-6000} megawatts over about {#80-900} kilometres.",
            "Power cuts affected some {#10000-900000} customers earlier this year.",
            "Grid investment is expected to total {money} by {year_future}.",
            "About {#40-700} projects are waiting to be connected, {attrib}.",
        ),
        "heads": "{actor_h} {vact} {money} {thing} {tail}|Blackout fears spur {money} {thing}",
    },
    "hydrogen": {
        "actors": "@co|@co|a gas utility|the energy ministry|a steelmaker|+researchers|"
        "a hydrogen consortium",
        "verbs": "build|open|unveil|test|approve|fund|plan|commission",
        "things": "electrolyser plant|green hydrogen project|hydrogen pipeline|"
        "fuelling station network|ammonia export terminal|hydrogen hub|fuel-cell bus fleet|"
        "hydrogen storage cavern|hydrogen train",
        "adjs": "new|large|pilot|solar-powered|offshore|industrial-scale|second|export-oriented|"
        "state-backed|long-delayed",
        "topics": "electrolyser costs|hydrogen subsidies|pipeline safety|"
        "demand from heavy industry|water use|hydrogen storage|export markets|"
        "certification rules",
        "tails": "near a steel plant|at a former refinery site|with state support|"
        "under a national strategy|despite cost doubts|on the coast",
        "stakes": "decarbonise steel production|replace natural gas in industry|"
        "cut emissions from heavy transport|create an export industry",
        "fields": "chemical engineering|energy systems|hydrogen technology|energy policy",
        "details": (
            "The plant will use {#20-800} megawatts of electrolysers to produce about "
            "{#3000-90000} tonnes of hydrogen a year.",
            "Green hydrogen currently costs about {#3-8} dollars per kilogram to produce.",
            "The project has received {money} in public funding.",
            "Production is due to begin in {year_future}.",
        ),
        "heads": "{actor_h} {vact} {money} {thing}|Hydrogen hopes ride on {money} {thing} {tail}",
    },
    "fusion": {
        "actors": "@co|+physicists|a fusion start-up|the national laboratory|"
        "an international fusion project|+researchers",
        "verbs": "build|test|unveil|fire up|fund|complete|design|upgrade",
        "things": "tokamak|stellarator|fusion reactor|laser facility|superconducting magnet|"
        "plasma experiment|fusion test rig|divertor|pilot plant",
        "adjs": "new|compact|larger|prototype|upgraded|record-breaking|high-field|experimental|"
        "privately funded|second",
        "topics": "plasma stability|energy gain|magnet technology|tritium supplies|"
        "materials testing|fusion timelines|private investment|heat exhaust",
        "tails": "for the first time|after a lengthy upgrade|with private backing|"
        "in a milestone for fusion|ahead of schedule|despite technical setbacks",
        "stakes": "show that fusion can produce net energy|build a pilot power plant|"
        "bring fusion power to the grid|prove new magnet designs",
        "fields": "plasma physics|nuclear fusion|applied physics|energy research",
        "details": (
            "The plasma reached a temperature of about {#50-150} million degrees Celsius.",
            "The pulse lasted {#2-400} seconds, {attrib}.",
            "The project has raised {money} from investors since {year_past}.",
            "The magnet produced a field of {#10-25} tesla.",
        ),
        "heads": "{adj} {thing} sets {#2-400}-second plasma record|"
        "{actor_h} {vact} {adj} {thing}, eyes {year_future} power",
    },
}

# Used for any section of a custom `sites` argument that has no vocabulary above.
_GENERIC_SECTION: dict[str, str | tuple[str, ...]] = {
    "actors": "@co|@co|the ministry|the agency|+researchers|+officials|a regional authority",
    "verbs": "launch|unveil|approve|expand|test|fund|review|announce",
    "things": "programme|pilot project|research centre|review|strategy|partnership|"
    "monitoring network|training scheme",
    "adjs": "new|national|regional|long-awaited|ambitious|scaled-back|joint|second|"
    "controversial|low-cost",
    "topics": "funding|public safety|regulation|costs|research priorities|"
    "international cooperation|transparency|long-term planning",
    "tails": "for the first time|after a lengthy review|despite budget pressures|"
    "ahead of schedule|amid growing public interest|as part of a wider plan",
    "stakes": "improve public services|attract private investment|cut costs|speed up research",
    "fields": "public policy|economics|applied science|engineering",
    "details": (
        "The effort is expected to cost about {money}.",
        "About {#100-9000} people are expected to take part, {attrib}.",
        "A first progress report is due in {year_future}.",
        "The plan covers {few} regions.",
    ),
    "heads": "{actor_h} {vact} {adj} {thing} {tail}",
}

# Per-site vocabulary: dateline places, invented company suffixes, attributions.
_SITES: dict[str, dict[str, tuple[str, ...]]] = {
    "spacedaily": {
        "places": _split(
            "Paris|Washington|Cape Canaveral|Houston|Pasadena|Moscow|Beijing|Bengaluru|Tokyo|"
            "Kourou|Darmstadt|Toulouse|Noordwijk|Baikonur|Seoul|Sydney|Los Angeles|Berlin|"
            "London|Montreal"
        ),
        "suffixes": _split("Aerospace|Orbital|Space Systems|Launch Industries|Astronautics"),
        "attribs": _split(
            "officials said|the agency said in a statement|mission managers said|"
            "according to a statement|officials said"
        ),
        "officials": _split("Officials|Agency officials|Mission managers|Programme officials"),
    },
    "spacewar": {
        "places": _split(
            "Washington|Seoul|Tokyo|Moscow|Kyiv|Baghdad|Brussels|Taipei|Beijing|London|"
            "Jerusalem|Ankara|Canberra|New Delhi|Islamabad|Warsaw|Manila|Riyadh|Berlin|Paris"
        ),
        "suffixes": _split("Defence Systems|Dynamics|Armaments|Defence Industries|Aerosystems"),
        "attribs": _split(
            "military officials said|the defence ministry said in a statement|officials said|"
            "a military spokesperson said|according to a statement"
        ),
        "officials": _split("Officials|Military officials|Defence officials|Security sources"),
    },
    "terradaily": {
        "places": _split(
            "Geneva|Nairobi|Jakarta|Manila|Lima|Reykjavik|Sydney|Brasilia|Dhaka|Bangkok|Rome|"
            "Oslo|Wellington|Mexico City|Santiago|Cape Town|Hanoi|Quito|Copenhagen|Kathmandu"
        ),
        "suffixes": _split("Environmental|AgriTech|Water Solutions|Earth Analytics|Ecosystems"),
        "attribs": _split(
            "scientists said|researchers said|officials said|the agency said in a statement|"
            "according to a statement"
        ),
        "officials": _split("Officials|Scientists|Researchers|Local officials"),
    },
    "energydaily": {
        "places": _split(
            "Houston|Abu Dhabi|Riyadh|Vienna|Berlin|Beijing|New Delhi|Oslo|Tokyo|Paris|"
            "Rotterdam|Calgary|Johannesburg|Madrid|Seoul|Singapore|Aberdeen|Perth|Doha|Copenhagen"
        ),
        "suffixes": _split("Energy|Power|Renewables|Energy Systems|Utilities"),
        "attribs": _split(
            "the company said|officials said|the ministry said in a statement|"
            "industry officials said|according to a statement"
        ),
        "officials": _split("Officials|Company officials|Industry officials|Ministry officials"),
    },
}
_GENERIC_SITE = {
    "places": _split("London|Paris|Washington|Tokyo|Berlin|Nairobi|Sao Paulo|Singapore|Sydney"),
    "suffixes": _split("Group|Holdings|Technologies|Industries|Systems"),
    "attribs": _split("officials said|according to a statement|the ministry said"),
    "officials": _split("Officials|Government officials"),
}
_IANS_PLACES = _split(
    "New Delhi|Mumbai|Bengaluru|Chennai|Hyderabad|Kolkata|Ahmedabad|Pune|Thiruvananthapuram|"
    "Guwahati"
)
_ESA_PLACES = _split("Paris|Darmstadt|Noordwijk|Frascati|Kourou|Madrid|Cologne")

# ---------------------------------------------------------------------------
# Shared newsroom vocabulary
# ---------------------------------------------------------------------------

_COMPANY_ROOTS = _split(
    "Corvane|Aldermoor|Veltris|Norhavn|Quillon|Brannock|Halvard|Tessaly|Orsino|Kavera|Sundrift|"
    "Pellion|Greywater|Ironvale|Lumara|Skarvik|Deltane|Marroway"
)
_ORG_ROOTS = _split(
    "Ashgrove|Calderwood|Wrenfield|Eastmere|Brightmoor|Linden Vale|Fairhollow|Kestrelmoor|"
    "Rowanfield|Silverbank|Oakhurst|Merrowdale|Harlowick|Bramcote|Westerholt"
)
_ORG_PATTERNS = (
    "the {root} Institute",
    "the {root} Institute for {Field}",
    "{root} University",
    "the {root} Centre for {Field}",
    "the {root} Foundation",
    "{root} College",
    "the {root} Policy Forum",
)
_TITLES = (
    "a senior analyst",
    "a senior fellow",
    "director of research",
    "a professor of {field}",
    "an associate professor of {field}",
    "a researcher in {field}",
    "head of {field} research",
    "a lecturer in {field}",
    "programme director",
    "a visiting scholar",
)
_FIRST_NAMES = _split(
    "Amara|Lukas|Mei|Santiago|Priya|Olusegun|Ingrid|Tomasz|Yuki|Fatima|Mateo|Anika|Kwame|Elena|"
    "Rajesh|Sofia|Hamid|Claire|Dmitri|Ngozi|Jonas|Leila|Hiroshi|Camille|Aditya|Nadia|Pedro|"
    "Astrid|Omar|Hannah|Chen|Isabel|Tariq|Marta|Kofi|Julien|Ayesha|Bogdan|Lucia|Min-jun|Freya|"
    "Rafael|Zainab|Henrik|Anjali|Gabriel|Noor|Pieter|Valentina|Samuel|Keiko|Emre|Beatriz|Arjun|"
    "Olga|Thomas|Laila|Diego|Siobhan|Ruth|Wei|Amina|Mikael|Paulo|Chiara|Tunde|Ana|Viktor|"
    "Nomvula|Felix|Ines|Kenji|Sana|Malik|Greta|Luis|Aisha|Stefan|Lan|Daniel"
)
_LAST_NAMES = _split(
    "Okafor|Lindqvist|Tanaka|Moreau|Hernandez|Kowalski|Nair|Haddad|Petrov|Mensah|Fischer|Sato|"
    "Rossi|Abebe|Novak|Costa|Iyer|Brennan|Delacroix|Yilmaz|Kim|Osei|van Dijk|Bauer|Morales|"
    "Chandra|Al-Rashid|Nakamura|Oyelaran|Sorensen|Marchetti|Quispe|Wang|Zhou|Horvath|Dubois|"
    "Mwangi|Santos|Larsen|Kapoor|Gallagher|Ferreira|Ahmadi|Jansen|Ruiz|Ncube|Castellanos|Berg|"
    "Thakur|Rahman|Keller|O'Connor|Vargas|Hoffmann|Takahashi|Banerjee|Lefebvre|Obi|Popescu|"
    "Aydin|Silva|Duarte|Eriksen|Hashemi|Nguyen|Park|Achebe|Lindgren|Moretti|Baptiste|Rao|"
    "Kuznetsov|Adeyemi|Varga|Szabo|Mendes|Ishikawa|Bakker|Ortega|Wojcik"
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NUMBER_WORDS = _split("zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve")
_ORDINALS = _split("second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth")
_INITIALS = _split(
    "srm|del|jm|ach|pdh|kr|mlm|jh|ft|gv|rl|sst|cb|dw|lth|aph|bp|mk|jnd|tw|hc|mrc|dl|ea|jbr|nr|"
    "wd|gk|ams|rsc|js|gw|pb|rmb|jj|sw|fg|ljm|klm|bfm|cw|st|jk|pst|mh|jvs|np|grk|dc|tjc"
)
_FULL_NAMES = tuple(f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES)
_SOURCES = _split(
    "budget documents|industry estimates|a parliamentary report|figures from the finance ministry|"
    "an independent audit|a consultancy report"
)
_REACTIONS = (
    "drew wide attention at the time",
    "was widely seen as a turning point for {topic}",
    "prompted calls for a review of {topic2}",
    "few had expected",
    "was welcomed by independent experts",
    "raised fresh questions about {topic2}",
)
_TRENDS = _split(
    "improved markedly|become a growing concern|lagged behind expectations|"
    "drawn increasing scrutiny|attracted fresh investment|moved up the political agenda"
)
_MOVES = _split("climb|slip|edge higher|dip|jump|steady")

_LEDES = (
    "{Actor} on {weekday} {vpast} {obj} {tail}, {attrib}.",
    "{Actor} {vpast} {obj} on {weekday} {tail}, in a move {officials_l} said was designed to "
    "{stake}.",
    "{Officials} said on {weekday} that {actor} had {vpp} {obj} {tail}, part of a wider effort "
    "to {stake}.",
    "{Actor} on {weekday} {vpast} {obj}, {attrib}, as {actor2} stepped up efforts to {stake2}.",
    "{Actor} {vpast} {obj} on {weekday} {tail}, the latest step in a years-long push to "
    "{stake}, {attrib}.",
    "{Actor} said on {weekday} {it} had {vpp} {obj} {tail}, adding that more work was needed "
    "on {topic}.",
)
# Sentences for every section ...
_SHARED_DETAILS = (
    "It was the {ordinal} such announcement this year, {attrib2}.",
    "Neither {actor} nor {actor2} gave further details.",
)
_BACKGROUNDS = (
    "The announcement comes {dur} after {actor2} unveiled plans of {its2} own to {stake2}.",
    "In {month_past}, {actor2} {vpast2} {obj2}, a move that {reaction}.",
    "Analysts have long argued that progress on {topic2} is needed to {stake}.",
    "The question of {topic} has been a sensitive one since {year_past}, when {actor2} "
    "{vpast2} {obj2}.",
    "Spending linked to {topic3} rose {pct} percent last year, official figures show.",
    "Similar efforts elsewhere have had mixed results, with {topic2} proving a persistent "
    "obstacle.",
    "Attention to {topic3} has grown since {actor2} {vpast2} {obj2} in {year_past}.",
    "Questions over {topic} were also raised at a regional meeting in {place} last month.",
)
_CLOSINGS = (
    "Further details are expected {future}, {attrib2}.",
    "A review of {topic} is due to be published {future}.",
    "{Actor} did not respond to a request for further comment.",
    "A decision on the next steps is expected {future}, {attrib2}.",
)
# ... and extra ones for sections whose stories are about projects and programmes
# (as opposed to observed events such as earthquakes or votes).
_EVENT_SECTIONS = frozenset(
    _split(
        "astronomy|mars|iraq-wars|politics|climate|oceans|earthquakes|volcanoes|forests|pollution"
    )
)
_PROJECT_DETAILS = (
    "{Actor} did not disclose the full cost, but analysts put the figure at around {money}.",
    "Work on the {thing_s} began in {year_since}, and the schedule has since slipped by {few} "
    "months.",
)
_PROJECT_BACKGROUNDS = (
    "{Actor} {has} spent an estimated {money} on {topic} since {year_since}, according to "
    "{source}.",
    "Critics say the effort has been dogged by delays and cost overruns, with the latest "
    "estimate at {money}.",
    "The {thing_s} is one of {few} similar projects under way worldwide.",
)
_PROJECT_CLOSINGS = (
    "{Actor} said {it} would {vbase2} {obj2} {future}.",
    "The next milestone is expected {future}.",
)
_QUOTES = (
    "This is a significant step for {topic}",
    "We have been working towards this for {few} years",
    "The results are exactly what we expected",
    "This is only the beginning",
    "There is still a great deal of work to do on {topic}",
    "Nobody should underestimate what this means for {topic}",
    "The question now is whether {actor} can {stake}",
    "We are confident that we can {stake} by {year_future}",
    "The biggest challenge remains {topic}",
    "It is too early to say what this means for {topic2}",
    "The data we are seeing are very encouraging",
    "We need to be realistic about {topic2}",
    "This will not happen overnight",
    "Frankly, we were surprised by how quickly it came together",
    "The next {few} months will be decisive",
    "Our job is to make sure nobody ignores {topic3}",
    "There are no shortcuts when it comes to {topic3}",
    "Everyone involved knows the stakes are high",
    "We have learned a lot since {year_past}",
    "If we get this right, we can {stake2}",
    "I would not call it a breakthrough, but it is real progress",
)
_SUBHEADS = _split(
    "A big step|Still a lot of work|No shortcuts|Too early to say|Not overnight|"
    "Very encouraging|Decisive months|Cautious optimism|Questions remain|A long road|"
    "Pressure mounts|Room to improve|Mixed signals|Next steps|Cost questions|"
    "High stakes|Lessons learned|Real progress|Surprised|Taken seriously"
)
_SUBHEAD_TOPIC = (
    "{Topic} concerns",
    "Focus on {topic}",
    "{Topic} in question",
    "Doubts on {topic3}",
)
_HEADLINES = (
    "{actor_h} {vact} {adj} {thing} {tail}",
    "{actor_h} {vact} {adj} {thing} ahead of {year_future} deadline",
    "{actor_h} to {vbase} {adj} {thing} by {year_future}",
    "{actor_h} plans to {vbase} {few} {adj} {things}",
    "{actor_h} {vact} {adj} {thing} as {topic} concerns mount",
    "{topic} in focus as {actor_h} {vact} {adj} {thing}",
    "Experts question {topic} after {actor_h} {vact} {thing}",
    "{adj} {thing} {vpp} {tail}",
    "{actor_h} {vact} {adj} {thing} amid {topic} debate",
    "{actor_h} {vact} {adj} {thing}, {topic} in spotlight",
    "{actor_h} {vact} {adj} {thing} to {stake}",
)

# ---------------------------------------------------------------------------
# Compilation of the word lists (import time only)
# ---------------------------------------------------------------------------

_IRREGULAR = {  # base: (past, past participle)
    "build": ("built", "built"),
    "sell": ("sold", "sold"),
    "win": ("won", "won"),
    "shut": ("shut", "shut"),
    "take": ("took", "taken"),
    "hold": ("held", "held"),
    "fly": ("flew", "flown"),
    "lose": ("lost", "lost"),
    "find": ("found", "found"),
    "bid": ("bid", "bid"),
    "spot": ("spotted", "spotted"),
    "plan": ("planned", "planned"),
    "map": ("mapped", "mapped"),
    "scrap": ("scrapped", "scrapped"),
    "ship": ("shipped", "shipped"),
    "log": ("logged", "logged"),
    "patent": ("patented", "patented"),
    "fire": ("fired", "fired"),
}
_SMALL_WORDS = {"and", "of", "for", "the", "in", "on"}
# {#a-b}: random integer with thousands separators; {%a-b}: without (years);
# {money}, {pct}: a fresh amount / percentage at every use.
_DYNAMIC_RE = re.compile(r"\{(?:([#%])(\d+)-(\d+)|(money|pct))\}")


def _conjugate(phrase: str) -> tuple[str, str, str, str]:
    """(base, 3rd person present, past, past participle) of a verb phrase."""
    head, _, rest = phrase.partition(" ")
    prefix, dash, last = head.rpartition("-")
    lead = prefix + dash
    if last in _IRREGULAR:
        past, pp = _IRREGULAR[last]
    elif last.endswith("e"):
        past = pp = last + "d"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        past = pp = last[:-1] + "ied"
    else:
        past = pp = last + "ed"
    if last.endswith(("s", "sh", "ch", "x", "z", "o")):
        pres = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        pres = last[:-1] + "ies"
    else:
        pres = last + "s"
    tail = f" {rest}" if rest else ""
    return phrase, f"{lead}{pres}{tail}", f"{lead}{past}{tail}", f"{lead}{pp}{tail}"


def _plural(noun: str) -> str:
    head, space, last = noun.rpartition(" ")
    if last.endswith(("s", "sh", "ch", "x", "z")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head}{space}{last}"


def _article(phrase: str) -> str:
    lowered = phrase.lower()
    if lowered.startswith(("uni", "use", "uti", "eu", "one", "ura")):
        return f"a {phrase}"
    if lowered[:1] in "aeiou" or phrase.startswith(("LNG", "hour", "honest")):
        return f"an {phrase}"
    return f"a {phrase}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title(text: str) -> str:
    words = text.split()
    return " ".join(
        w if (i and w in _SMALL_WORDS) or w[:1].isupper() else _cap(w) for i, w in enumerate(words)
    )


def _headline_np(phrase: str) -> str:
    for lead in ("the ", "a ", "an "):
        if phrase.startswith(lead):
            return phrase[len(lead) :]
    return phrase


def _possessive(phrase: str, plural: bool) -> str:
    return f"{phrase}'" if plural and phrase.endswith("s") else f"{phrase}'s"


class _Template:
    """A str.format template; its dynamic tokens get fresh random values at every use."""

    __slots__ = ("dynamic", "fmt")
    dynamic: tuple[tuple[str, str, int, int], ...] | None

    def __init__(self, text: str) -> None:
        dynamic: list[tuple[str, str, int, int]] = []

        def repl(match: re.Match[str]) -> str:
            key = f"_r{len(dynamic)}"
            if match[4]:
                dynamic.append((key, match[4], 0, 0))
            else:
                dynamic.append((key, match[1], int(match[2]), int(match[3])))
            return "{" + key + "}"

        self.fmt = _DYNAMIC_RE.sub(repl, text)
        # None marks a template without any field: it is its own text
        self.dynamic = tuple(dynamic) if "{" in self.fmt else None


def _templates(texts: Sequence[str]) -> tuple[_Template, ...]:
    return tuple(_Template(text) for text in texts)


@dataclass(slots=True)
class _Actor:
    text: str  # "" for an invented company
    cap: str
    headline: str
    possessive: str
    plural: bool


@dataclass(slots=True)
class _Topic:
    actors: tuple[_Actor, ...]
    verbs: tuple[tuple[str, str, str, str], ...]
    things: tuple[tuple[str, str, str, str], ...]  # (noun, plural, head noun, "a noun")
    adjs: tuple[tuple[str, str], ...]  # (adj, "an adj")
    topics: tuple[tuple[str, str], ...]  # (topic, Topic)
    tails: tuple[str, ...]
    stakes: tuple[str, ...]
    experts: tuple[str, ...]  # "a professor of X"
    orgs: tuple[str, ...]  # "the Y Institute for X"
    details: tuple[tuple[_Template, ...], ...]  # pre-shuffled orderings
    backgrounds: tuple[tuple[_Template, ...], ...]  # pre-shuffled orderings
    closings: tuple[_Template, ...]
    heads: tuple[_Template, ...]


_ORDERINGS = 64
_ORDERING_RNG = Random("dateline-demo-orderings")


def _orderings(pool: Sequence[_Template]) -> tuple[tuple[_Template, ...], ...]:
    """Pre-shuffled orderings of `pool`; a story copies one and pops from it."""
    return tuple(tuple(_ORDERING_RNG.sample(pool, len(pool))) for _ in range(_ORDERINGS))


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return _split(value) if isinstance(value, str) else value


def _compile_topic(spec: dict[str, str | tuple[str, ...]], project: bool) -> _Topic:
    actors = []
    for raw in _as_tuple(spec["actors"]):
        if raw == "@co":
            actors.append(_Actor("", "", "", "", False))
            continue
        plural = raw.startswith("+")
        text = raw.lstrip("+")
        headline = _headline_np(text)
        actors.append(_Actor(text, _cap(text), headline, _possessive(headline, plural), plural))
    fields = _as_tuple(spec["fields"])
    return _Topic(
        actors=tuple(actors),
        verbs=tuple(_conjugate(v) for v in _as_tuple(spec["verbs"])),
        things=tuple(
            (noun, _plural(noun), noun.rpartition(" ")[2], _article(noun))
            for noun in _as_tuple(spec["things"])
        ),
        adjs=tuple((adj, _article(adj)) for adj in _as_tuple(spec["adjs"])),
        topics=tuple((t, _cap(t)) for t in _as_tuple(spec["topics"])),
        tails=_as_tuple(spec["tails"]),
        stakes=_as_tuple(spec["stakes"]),
        experts=tuple(dict.fromkeys(t.format(field=f) for t in _TITLES for f in fields)),
        orgs=tuple(
            dict.fromkeys(
                p.format(root=r, Field=_title(f))
                for p in _ORG_PATTERNS
                for r in _ORG_ROOTS
                for f in fields
            )
        ),
        details=_orderings(
            _templates(
                _as_tuple(spec["details"]) + _SHARED_DETAILS + (_PROJECT_DETAILS if project else ())
            )
        ),
        backgrounds=_orderings(
            _templates(_BACKGROUNDS + (_PROJECT_BACKGROUNDS if project else ()))
        ),
        closings=_templates(_CLOSINGS + (_PROJECT_CLOSINGS if project else ())),
        heads=_templates(_as_tuple(spec["heads"]) + _HEADLINES),
    )


_TOPICS = {
    slug: _compile_topic(spec, project=slug not in _EVENT_SECTIONS)
    for slug, spec in _SECTIONS.items()
}
_GENERIC_TOPIC = _compile_topic(_GENERIC_SECTION, project=True)

_C_LEDES = _templates(_LEDES)
_C_QUOTES = _orderings(_templates(_QUOTES))
_C_REACTIONS = _templates(_REACTIONS)
_C_SUBHEAD_TOPIC = _templates(_SUBHEAD_TOPIC)

_AGENCY_LIST = tuple(AGENCY_WEIGHTS)
_AGENCY_CUM = tuple(accumulate(AGENCY_WEIGHTS.values()))
_AGENCY_TOTAL = _AGENCY_CUM[-1]
_WIRES = frozenset({"AFP", "UPI", "IANS"})


class _SiteVocab:
    __slots__ = ("attribs", "companies", "officials", "places")

    def __init__(self, spec: dict[str, tuple[str, ...]]) -> None:
        self.places = spec["places"]
        self.attribs = spec["attribs"]
        self.officials = tuple((o, o.lower()) for o in spec["officials"])
        self.companies = tuple(f"{r} {s}" for r in _COMPANY_ROOTS for s in spec["suffixes"])


_SITE_VOCAB = {slug: _SiteVocab(spec) for slug, spec in _SITES.items()}
_GENERIC_SITE_VOCAB = _SiteVocab(_GENERIC_SITE)


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


def _money(rnd: Callable[[], float]) -> str:
    if rnd() < 0.5:
        return f"${20 + int(rnd() * 94) * 10} million"
    return f"${1 + rnd() * 47:.1f} billion"


def _fmt(tpl: _Template, ctx: dict[str, str], rnd: Callable[[], float]) -> str:
    dynamic = tpl.dynamic
    if dynamic is None:
        return tpl.fmt
    if not dynamic:
        return tpl.fmt.format_map(ctx)
    for key, kind, lo, hi in dynamic:
        if kind == "#":
            ctx[key] = f"{lo + int(rnd() * (hi - lo + 1)):,}"
        elif kind == "%":
            ctx[key] = str(lo + int(rnd() * (hi - lo + 1)))
        elif kind == "money":
            ctx[key] = _money(rnd)
        else:
            ctx[key] = str(3 + int(rnd() * 80))
    return tpl.fmt.format_map(ctx)


def _three(pool: Sequence, rnd: Callable[[], float]) -> tuple:
    """Three distinct items of `pool` (which has at least three)."""
    n = len(pool)
    i = int(rnd() * n)
    d1 = 1 + int(rnd() * (n // 2))
    d2 = d1 + 1 + int(rnd() * (n - 1 - d1))
    return pool[i], pool[(i + d1) % n], pool[(i + d2) % n]


def _timestamps(count: int, start: datetime, end: datetime, seed: int) -> list[datetime]:
    span_us = (end - start) // timedelta(microseconds=1)
    unit = 1_000_000 if span_us // 1_000_000 >= count else 1
    slots = span_us // unit
    if slots < count:
        raise ValueError(f"cannot fit {count} distinct timestamps between {start} and {end}")
    rng = Random(f"dateline-demo-timestamps-{seed}")
    offsets = sorted(rng.sample(range(slots), count))
    return [start + timedelta(microseconds=off * unit) for off in offsets]


def _signoff(agency: str, rnd: Callable[[], float]) -> str:
    if agency == "AFP":
        first, second, third = _three(_INITIALS, rnd)
        if rnd() < 0.4:
            first = "burs"
        return f"{first}/{second}/{third}" if rnd() < 0.5 else f"{first}/{second}"
    if (agency == "UPI" and rnd() < 0.3) or (agency == "IANS" and rnd() < 0.5):
        first, second, _ = _three(_INITIALS, rnd)
        return f"{first}/{second}"
    return ""


def _teaser(lede: str) -> str:
    if len(lede) <= TEASER_MAX:
        return lede
    cut = lede[: TEASER_MAX - 3].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def generate_stories(
    count: int,
    *,
    seed: int = 0,
    start: datetime,
    end: datetime,
    sites: Sequence[tuple] | None = None,
) -> Iterator[GeneratedStory]:
    """Yield `count` stories with published_at spread over [start, end), in increasing
    published_at order (distinct timestamps), deterministic for a given seed.

    `sites` defaults to network.SITES (same shape: slug, name, host, tagline,
    [(section slug, section name), ...]); sections are drawn uniformly across all
    sites' sections, and sections without their own vocabulary get a generic one.
    Naive `start`/`end` are taken as UTC.  Timestamps are whole seconds after
    `start` when the span allows, microseconds otherwise.  Arguments are checked
    at call time; stories are produced lazily.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if count and end <= start:
        raise ValueError("end must be after start")
    sites = network.SITES if sites is None else sites
    pairs = [(site[0], section[0]) for site in sites for section in site[4]]
    if count and not pairs:
        raise ValueError("no sections to draw from")
    times = _timestamps(count, start, end, seed) if count else []
    return _generate(times, seed, pairs)


def _write_body(
    ctx: dict[str, str],
    rnd: Callable[[], float],
    topic: _Topic,
    n_text: int,
    max_text: int,
    told: str,
    spokesperson_ok: bool,
) -> list[str]:
    """The paragraphs of one story (lede first, closing last, no subhead yet).

    ``n_text`` paragraphs are written, then the text is grown (extra sentences,
    longer quotes) towards a per-story length target and kept within
    MIN_CHARS..MAX_CHARS, adding or dropping middle paragraphs only if needed
    (never beyond ``max_text`` paragraphs).
    """
    details = list(topic.details[int(rnd() * _ORDERINGS)])
    backgrounds = list(topic.backgrounds[int(rnd() * _ORDERINGS)])
    quotes = list(_C_QUOTES[int(rnd() * _ORDERINGS)])

    experts, orgs = topic.experts, topic.orgs
    actor, topic2, stake2 = ctx["actor"], ctx["topic2"], ctx["stake2"]
    names, n_names, fmt = _FULL_NAMES, len(_FULL_NAMES), _fmt

    def quote() -> str:
        if not quotes:
            quotes.extend(_C_QUOTES[int(rnd() * _ORDERINGS)])
        return fmt(quotes.pop(), ctx, rnd)

    def quote_para() -> str:
        """A quote paragraph; direct ones are recorded as growable."""
        nonlocal spokesperson_ok, indirect_done
        name = names[int(rnd() * n_names)]
        if spokesperson_ok and rnd() < 0.3:
            spokesperson_ok = False
            person = f"{name}, a spokesperson for {actor}"
        else:
            expert = experts[int(rnd() * len(experts))]
            person = f"{name}, {expert} at {orgs[int(rnd() * len(orgs))]}"
        r = rnd()
        if r < 0.88 or indirect_done:
            quoted.extend((len(paragraphs),) * room)
            if r < 0.35:
                return f'"{quote()}," said {person}.'
            if r < 0.6:
                return f'"{quote()}. {quote()}," said {person}.'
            return f'"{quote()}," {person}, told {told}. "{quote()}."'
        indirect_done = True
        return (
            f"{person}, said {topic2} had {_TRENDS[int(rnd() * len(_TRENDS))]}, and warned "
            f"that {actor} would need to {stake2} sooner rather than later."
        )

    # Fewer paragraphs -> longer ones, so story length varies independently.
    two = 0.95 if n_text <= 8 else 0.6 if n_text <= 11 else 0.35
    room = 2 if n_text <= 7 else 1  # how often a paragraph may grow by a sentence
    target = min(max(MIN_CHARS, int(n_text * (170 + rnd() * 110))), MAX_CHARS - 200)
    prose: list[int] = []  # indices of background/detail paragraphs
    quoted: list[int] = []  # indices of direct-quote paragraphs
    indirect_done = False

    def prose_para(deck: list[_Template]) -> str:
        text = fmt(deck.pop(), ctx, rnd)
        prose.extend((len(paragraphs),) * room)  # room for more sentences ...
        if deck and rnd() < two:
            return f"{text} {fmt(deck.pop(), ctx, rnd)}"
        prose.append(len(paragraphs))  # ... one more if this one has only one
        return text

    paragraphs = [fmt(_C_LEDES[int(rnd() * len(_C_LEDES))], ctx, rnd)]
    paragraphs.append(prose_para(details))
    paragraphs.append(quote_para())
    while len(paragraphs) < n_text - 1:
        r = rnd()
        if r < 0.3 and details:
            paragraphs.append(prose_para(details))
        elif r < 0.62 or not backgrounds:
            paragraphs.append(quote_para())
        else:
            paragraphs.append(prose_para(backgrounds))
    closings = topic.closings
    paragraphs.append(fmt(closings[int(rnd() * len(closings))], ctx, rnd))

    # --- steer the length towards `target`, within MIN_CHARS..MAX_CHARS -----
    total = sum(map(len, paragraphs))
    while total < target:
        if prose and (details or backgrounds) and (not quoted or rnd() < 0.6):
            i = prose.pop(int(rnd() * len(prose)))
            old = paragraphs[i]
            new = f"{old} {fmt((details or backgrounds).pop(), ctx, rnd)}"
        elif quoted:
            i = quoted.pop(int(rnd() * len(quoted)))
            old = paragraphs[i]
            # continue the closing quotation if the paragraph ends with one
            new = f'{old[:-1]} {quote()}."' if old.endswith('."') else f'{old} "{quote()}."'
        else:
            break
        paragraphs[i] = new
        total += len(new) - len(old)
    while total < MIN_CHARS:
        extra = quote_para()
        if len(paragraphs) < max_text:
            paragraphs.insert(len(paragraphs) - 1, extra)
            total += len(extra)
        else:
            i = 2 + int(rnd() * (len(paragraphs) - 3))
            paragraphs[i] = f"{paragraphs[i]} {extra}"
            total += len(extra) + 1
    budget_max = MAX_CHARS - 60  # leaves room for a subhead
    while total > budget_max and len(paragraphs) > MIN_PARAGRAPHS:
        total -= len(paragraphs.pop(2 + int(rnd() * (len(paragraphs) - 3))))

    return paragraphs


def _generate(
    times: list[datetime], seed: int, pairs: list[tuple[str, str]]
) -> Iterator[GeneratedStory]:
    rnd = Random(seed).random

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    n_pairs = len(pairs)
    topic_for = {sec: _TOPICS.get(sec, _GENERIC_TOPIC) for _, sec in pairs}
    site_for = {site: _SITE_VOCAB.get(site, _GENERIC_SITE_VOCAB) for site, _ in pairs}
    names, n_names, n_words = _FULL_NAMES, len(_FULL_NAMES), _NUMBER_WORDS
    agency_list, agency_cum, agency_total = _AGENCY_LIST, _AGENCY_CUM, _AGENCY_TOTAL
    fmt = _fmt

    for published_at in times:
        site, section = pairs[int(rnd() * n_pairs)]
        topic = topic_for[section]
        sv = site_for[site]

        while True:
            agency = agency_list[bisect(agency_cum, rnd() * agency_total)]
            if agency != "ESA" or site == ESA_SITE:
                break
        wire = agency in _WIRES
        if agency == "ESA":
            place = pick(_ESA_PLACES)
        elif agency == "IANS" and rnd() < 0.7:
            place = pick(_IANS_PLACES)
        else:
            place = pick(sv.places)
        byline = STAFF_BYLINE if agency == "SPX" else names[int(rnd() * n_names)]

        # --- the story's cast and props -------------------------------------
        actors, companies = topic.actors, sv.companies
        a1 = actors[int(rnd() * len(actors))]
        if a1.text:
            actor, actor_cap, actor_h, actor_hp = a1.text, a1.cap, a1.headline, a1.possessive
        else:
            actor = actor_cap = actor_h = companies[int(rnd() * len(companies))]
            actor_hp = actor + "'s"
        plural = a1.plural
        a2 = actors[int(rnd() * len(actors))]
        actor2, plural2 = a2.text or companies[int(rnd() * len(companies))], a2.plural
        if actor2 == actor:
            actor2, plural2 = companies[int(rnd() * len(companies))], False
        verbs = topic.verbs
        verb = verbs[int(rnd() * len(verbs))]
        verb2 = verbs[int(rnd() * len(verbs))]
        things = topic.things
        i = int(rnd() * len(things))
        thing = things[i]
        thing2 = things[(i + 1 + int(rnd() * (len(things) - 1))) % len(things)]
        adjs = topic.adjs
        adj = adjs[int(rnd() * len(adjs))]
        adj2 = adjs[int(rnd() * len(adjs))]
        (topic1, topic1_cap), (topic2, _), (topic3, _) = _three(topic.topics, rnd)
        tails = topic.tails
        i = int(rnd() * len(tails))
        tail, tail2 = tails[i], tails[(i + 1 + int(rnd() * (len(tails) - 1))) % len(tails)]
        stakes = topic.stakes
        i = int(rnd() * len(stakes))
        stake, stake2 = stakes[i], stakes[(i + 1 + int(rnd() * (len(stakes) - 1))) % len(stakes)]
        attribs = sv.attribs
        i = int(rnd() * len(attribs))
        attrib, attrib2 = attribs[i], attribs[(i + 1) % len(attribs)]
        if wire and rnd() < 0.2:
            attrib = f"an official told {agency}"
        officials, officials_l = pick(sv.officials)
        few = n_words[2 + int(rnd() * 11)]
        year = published_at.year
        months_ago = published_at.month - 14 - int(rnd() * 130)  # 13 months to 11 years back
        past_year, past_month = year + months_ago // 12, months_ago % 12
        year_future = str(year + 1 + int(rnd() * 8))
        r = rnd()
        if r < 0.2:
            future = "later this year"
        elif r < 0.4:
            future = f"by {year_future}"
        elif r < 0.6:
            future = f"within {few} months"
        elif r < 0.75:
            future = "early next year"
        elif r < 0.9:
            future = f"in {_MONTHS[(published_at.month + int(rnd() * 5)) % 12]}"
        else:
            future = "before the end of the decade"
        ctx = {
            "actor": actor,
            "Actor": actor_cap,
            "actor_h": actor_h,
            "actor_hp": actor_hp,
            "actor2": actor2,
            "says": "say" if plural else "says",
            "has": "have" if plural else "has",
            "it": "they" if plural else "it",
            "its2": "their" if plural2 else "its",
            "vbase": verb[0],
            "vact": verb[0] if plural else verb[1],
            "vpast": verb[2],
            "vpp": verb[3],
            "vbase2": verb2[0],
            "vpast2": verb2[2],
            "thing": thing[0],
            "things": thing[1],
            "thing_s": thing[2],
            "adj": adj[0],
            "obj": f"{adj[1]} {thing[0]}",
            "obj2": f"{adj2[1]} {thing2[0]}" if rnd() < 0.6 else thing2[3],
            "topic": topic1,
            "Topic": topic1_cap,
            "topic2": topic2,
            "topic3": topic3,
            "tail": tail,
            "tail2": tail2,
            "stake": stake,
            "stake2": stake2,
            "attrib": attrib,
            "attrib2": attrib2,
            "Officials": officials,
            "officials_l": officials_l,
            # the event is usually on the day of publication, sometimes the day before
            "weekday": _WEEKDAYS[published_at.weekday() - (rnd() < 0.25)],
            "month_past": f"{_MONTHS[past_month]} {past_year}",
            "year_past": str(past_year),
            "year_since": str(year - 1 - int(rnd() * 12)),
            "year_future": year_future,
            "future": future,
            "few": few,
            "Few": few.capitalize(),
            "few2": n_words[2 + int(rnd() * 5)],
            "dur": f"{n_words[2 + int(rnd() * 5)]} {'weeks' if rnd() < 0.5 else 'months'}",
            "ordinal": pick(_ORDINALS),
            "place": place,
            "source": pick(_SOURCES),
            "move": pick(_MOVES),
        }
        ctx["reaction"] = fmt(pick(_C_REACTIONS), ctx, rnd)

        # --- headline ---------------------------------------------------------
        heads = topic.heads
        for _ in range(20):
            headline = fmt(pick(heads), ctx, rnd)
            if 30 <= len(headline) <= 100:
                break
        else:  # pragma: no cover - every section has templates that fit
            headline = f"{actor_h} {ctx['vact']} {ctx['obj']}, {attrib}"[:100].rstrip(" ,")
        headline = _cap(headline).rstrip(".")

        # --- body -------------------------------------------------------------
        with_subhead = rnd() < SUBHEAD_SHARE
        max_text = MAX_PARAGRAPHS - 1 if with_subhead else MAX_PARAGRAPHS
        n_text = MIN_PARAGRAPHS + int(rnd() * (max_text - MIN_PARAGRAPHS + 1))
        told = agency if wire else f"reporters in {place}"
        spokesperson_ok = not plural and not actor.startswith(("a ", "an "))
        paragraphs = _write_body(ctx, rnd, topic, n_text, max_text, told, spokesperson_ok)

        if with_subhead:
            topical = rnd() < 0.3
            phrase = fmt(pick(_C_SUBHEAD_TOPIC), ctx, rnd) if topical else pick(_SUBHEADS)
            # after more than half of the paragraphs, before the last one
            n = len(paragraphs)
            at = n // 2 + 1 + int(rnd() * (n - 1 - n // 2))
            paragraphs.insert(at, f"## '{phrase}'")

        yield GeneratedStory(
            site=site,
            section=section,
            headline=headline,
            byline=byline,
            place=place,
            agency=agency,
            published_at=published_at,
            paragraphs=tuple(paragraphs),
            signoff=_signoff(agency, rnd),
            teaser=_teaser(paragraphs[0]),
        )
