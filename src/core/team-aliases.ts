/**
 * The team catalogue team matching works from: for every league arbees follows, each team's
 * ESPN displayName and abbreviation, the city or school names venues write, its mascot, the
 * nicknames that identify it alone in its league, and the abbreviations other venues use
 * (Kalshi and Polymarket codes differ from ESPN's: GSW vs GS, NYK vs NY, WAS vs WSH...).
 *
 * Row format: [displayName, espnAbbr, cities, mascot, aliases, codes], lists separated by '|'.
 * The first city is ESPN's location. A mascot of '' means the club has none that venues use
 * (most soccer clubs); their short names are aliases instead.
 *
 * College mascots are shared by many schools, so a mascot names a college team alone only when
 * it is listed among the team's aliases (used by that one Division I program: Tar Heels,
 * Jayhawks...). College tables hold the programs the simulator plays plus near-namesakes (Michigan State next
 * to Michigan, Kansas State next to Kansas...) so the matcher meets the real traps; teams that
 * are not here are still matched, from the name and abbreviation ESPN gives.
 */
import type { Sport } from './topics.js';

export interface TeamAliasEntry {
  readonly sport: Sport;
  readonly name: string;
  readonly abbr: string;
  readonly cities: readonly string[];
  readonly mascot: string;
  readonly aliases: readonly string[];
  /** Other venues' abbreviations (uppercase), besides `abbr`. */
  readonly codes: readonly string[];
}

export type LeagueKind = 'pro' | 'college' | 'soccer';

/** How a league's names behave: college mascots are shared by dozens of schools. */
export const LEAGUE_KIND: Readonly<Record<Sport, LeagueKind>> = Object.freeze({
  nfl: 'pro',
  nba: 'pro',
  nhl: 'pro',
  mlb: 'pro',
  ncaaf: 'college',
  ncaab: 'college',
  mls: 'soccer',
  epl: 'soccer',
});

type Row = [name: string, abbr: string, cities: string, mascot: string, aliases?: string, codes?: string];

const split = (s: string | undefined): string[] => (s ? s.split('|').map((x) => x.trim()).filter((x) => x.length > 0) : []);

function table(sport: Sport, rows: Row[]): readonly TeamAliasEntry[] {
  return Object.freeze(
    rows.map(([name, abbr, cities, mascot, aliases, codes]) =>
      Object.freeze({ sport, name, abbr, cities: split(cities), mascot, aliases: split(aliases), codes: split(codes) }),
    ),
  );
}

const NBA = table('nba', [
  ['Atlanta Hawks', 'ATL', 'Atlanta', 'Hawks'],
  ['Boston Celtics', 'BOS', 'Boston', 'Celtics'],
  ['Brooklyn Nets', 'BKN', 'Brooklyn', 'Nets', '', 'BRK|BKLYN'],
  ['Charlotte Hornets', 'CHA', 'Charlotte', 'Hornets', '', 'CHO'],
  ['Chicago Bulls', 'CHI', 'Chicago', 'Bulls'],
  ['Cleveland Cavaliers', 'CLE', 'Cleveland', 'Cavaliers', 'Cavs'],
  ['Dallas Mavericks', 'DAL', 'Dallas', 'Mavericks', 'Mavs'],
  ['Denver Nuggets', 'DEN', 'Denver', 'Nuggets'],
  ['Detroit Pistons', 'DET', 'Detroit', 'Pistons'],
  ['Golden State Warriors', 'GS', 'Golden State', 'Warriors', '', 'GSW'],
  ['Houston Rockets', 'HOU', 'Houston', 'Rockets'],
  ['Indiana Pacers', 'IND', 'Indiana', 'Pacers'],
  ['LA Clippers', 'LAC', 'LA|Los Angeles|L.A.', 'Clippers', 'Clips'],
  ['Los Angeles Lakers', 'LAL', 'Los Angeles|LA|L.A.', 'Lakers'],
  ['Memphis Grizzlies', 'MEM', 'Memphis', 'Grizzlies', 'Grizz'],
  ['Miami Heat', 'MIA', 'Miami', 'Heat'],
  ['Milwaukee Bucks', 'MIL', 'Milwaukee', 'Bucks'],
  ['Minnesota Timberwolves', 'MIN', 'Minnesota', 'Timberwolves', 'Wolves|T-Wolves'],
  ['New Orleans Pelicans', 'NO', 'New Orleans|NOLA', 'Pelicans', 'Pels', 'NOP|NOR'],
  ['New York Knicks', 'NY', 'New York|NY', 'Knicks', '', 'NYK'],
  ['Oklahoma City Thunder', 'OKC', 'Oklahoma City|OKC', 'Thunder'],
  ['Orlando Magic', 'ORL', 'Orlando', 'Magic'],
  ['Philadelphia 76ers', 'PHI', 'Philadelphia|Philly', '76ers', 'Sixers'],
  ['Phoenix Suns', 'PHX', 'Phoenix', 'Suns', '', 'PHO'],
  ['Portland Trail Blazers', 'POR', 'Portland', 'Trail Blazers', 'Blazers|Trailblazers|Portland Trailblazers'],
  ['Sacramento Kings', 'SAC', 'Sacramento', 'Kings'],
  ['San Antonio Spurs', 'SA', 'San Antonio', 'Spurs', '', 'SAS'],
  ['Toronto Raptors', 'TOR', 'Toronto', 'Raptors'],
  ['Utah Jazz', 'UTAH', 'Utah', 'Jazz', '', 'UTA'],
  ['Washington Wizards', 'WSH', 'Washington', 'Wizards', 'Wiz', 'WAS'],
]);

const NFL = table('nfl', [
  ['Arizona Cardinals', 'ARI', 'Arizona', 'Cardinals', '', 'ARZ'],
  ['Atlanta Falcons', 'ATL', 'Atlanta', 'Falcons'],
  ['Baltimore Ravens', 'BAL', 'Baltimore', 'Ravens'],
  ['Buffalo Bills', 'BUF', 'Buffalo', 'Bills'],
  ['Carolina Panthers', 'CAR', 'Carolina', 'Panthers'],
  ['Chicago Bears', 'CHI', 'Chicago', 'Bears'],
  ['Cincinnati Bengals', 'CIN', 'Cincinnati', 'Bengals'],
  ['Cleveland Browns', 'CLE', 'Cleveland', 'Browns'],
  ['Dallas Cowboys', 'DAL', 'Dallas', 'Cowboys'],
  ['Denver Broncos', 'DEN', 'Denver', 'Broncos'],
  ['Detroit Lions', 'DET', 'Detroit', 'Lions'],
  ['Green Bay Packers', 'GB', 'Green Bay', 'Packers', '', 'GNB'],
  ['Houston Texans', 'HOU', 'Houston', 'Texans'],
  ['Indianapolis Colts', 'IND', 'Indianapolis|Indy', 'Colts'],
  ['Jacksonville Jaguars', 'JAX', 'Jacksonville', 'Jaguars', 'Jags', 'JAC'],
  ['Kansas City Chiefs', 'KC', 'Kansas City|KC', 'Chiefs', '', 'KAN'],
  ['Las Vegas Raiders', 'LV', 'Las Vegas|Vegas', 'Raiders', '', 'LVR'],
  ['Los Angeles Chargers', 'LAC', 'Los Angeles|LA|L.A.', 'Chargers', 'Bolts'],
  ['Los Angeles Rams', 'LAR', 'Los Angeles|LA|L.A.', 'Rams', '', 'LA'],
  ['Miami Dolphins', 'MIA', 'Miami', 'Dolphins'],
  ['Minnesota Vikings', 'MIN', 'Minnesota', 'Vikings'],
  ['New England Patriots', 'NE', 'New England', 'Patriots', 'Pats', 'NWE'],
  ['New Orleans Saints', 'NO', 'New Orleans|NOLA', 'Saints', '', 'NOR'],
  ['New York Giants', 'NYG', 'New York|NY', 'Giants', 'G-Men'],
  ['New York Jets', 'NYJ', 'New York|NY', 'Jets'],
  ['Philadelphia Eagles', 'PHI', 'Philadelphia|Philly', 'Eagles'],
  ['Pittsburgh Steelers', 'PIT', 'Pittsburgh', 'Steelers'],
  ['San Francisco 49ers', 'SF', 'San Francisco', '49ers', 'Niners', 'SFO'],
  ['Seattle Seahawks', 'SEA', 'Seattle', 'Seahawks', 'Hawks'],
  ['Tampa Bay Buccaneers', 'TB', 'Tampa Bay|Tampa', 'Buccaneers', 'Bucs', 'TAM'],
  ['Tennessee Titans', 'TEN', 'Tennessee', 'Titans'],
  ['Washington Commanders', 'WSH', 'Washington', 'Commanders', '', 'WAS'],
]);

const NHL = table('nhl', [
  ['Anaheim Ducks', 'ANA', 'Anaheim', 'Ducks'],
  ['Boston Bruins', 'BOS', 'Boston', 'Bruins'],
  ['Buffalo Sabres', 'BUF', 'Buffalo', 'Sabres'],
  ['Calgary Flames', 'CGY', 'Calgary', 'Flames', '', 'CAL'],
  ['Carolina Hurricanes', 'CAR', 'Carolina', 'Hurricanes', 'Canes'],
  ['Chicago Blackhawks', 'CHI', 'Chicago', 'Blackhawks', 'Hawks'],
  ['Colorado Avalanche', 'COL', 'Colorado', 'Avalanche', 'Avs'],
  ['Columbus Blue Jackets', 'CBJ', 'Columbus', 'Blue Jackets', 'Jackets', 'CLB'],
  ['Dallas Stars', 'DAL', 'Dallas', 'Stars'],
  ['Detroit Red Wings', 'DET', 'Detroit', 'Red Wings', 'Wings'],
  ['Edmonton Oilers', 'EDM', 'Edmonton', 'Oilers'],
  ['Florida Panthers', 'FLA', 'Florida', 'Panthers', '', 'FLO'],
  ['Los Angeles Kings', 'LA', 'Los Angeles|LA|L.A.', 'Kings', '', 'LAK'],
  ['Minnesota Wild', 'MIN', 'Minnesota', 'Wild'],
  ['Montreal Canadiens', 'MTL', 'Montreal', 'Canadiens', 'Habs', 'MON'],
  ['Nashville Predators', 'NSH', 'Nashville', 'Predators', 'Preds', 'NAS'],
  ['New Jersey Devils', 'NJ', 'New Jersey|NJ', 'Devils', '', 'NJD'],
  ['New York Islanders', 'NYI', 'New York|NY', 'Islanders', 'Isles'],
  ['New York Rangers', 'NYR', 'New York|NY', 'Rangers', 'Blueshirts'],
  ['Ottawa Senators', 'OTT', 'Ottawa', 'Senators', 'Sens'],
  ['Philadelphia Flyers', 'PHI', 'Philadelphia|Philly', 'Flyers'],
  ['Pittsburgh Penguins', 'PIT', 'Pittsburgh', 'Penguins', 'Pens'],
  ['San Jose Sharks', 'SJ', 'San Jose', 'Sharks', '', 'SJS'],
  ['Seattle Kraken', 'SEA', 'Seattle', 'Kraken'],
  ['St. Louis Blues', 'STL', 'St. Louis|St Louis', 'Blues'],
  ['Tampa Bay Lightning', 'TB', 'Tampa Bay|Tampa', 'Lightning', 'Bolts', 'TBL'],
  ['Toronto Maple Leafs', 'TOR', 'Toronto', 'Maple Leafs', 'Leafs'],
  ['Utah Mammoth', 'UTAH', 'Utah', 'Mammoth', 'Utah Hockey Club|Utah HC', 'UTA'],
  ['Vancouver Canucks', 'VAN', 'Vancouver', 'Canucks', 'Nucks'],
  ['Vegas Golden Knights', 'VGK', 'Vegas|Las Vegas', 'Golden Knights', '', 'VEG'],
  ['Washington Capitals', 'WSH', 'Washington', 'Capitals', 'Caps', 'WAS'],
  ['Winnipeg Jets', 'WPG', 'Winnipeg', 'Jets', '', 'WIN'],
]);

const MLB = table('mlb', [
  ['Arizona Diamondbacks', 'ARI', 'Arizona', 'Diamondbacks', 'D-backs|Dbacks', 'AZ'],
  ['Athletics', 'ATH', '', 'Athletics', 'Oakland Athletics|Sacramento Athletics|Las Vegas Athletics|Oakland', 'OAK'],
  ['Atlanta Braves', 'ATL', 'Atlanta', 'Braves'],
  ['Baltimore Orioles', 'BAL', 'Baltimore', 'Orioles'],
  ['Boston Red Sox', 'BOS', 'Boston', 'Red Sox'],
  ['Chicago Cubs', 'CHC', 'Chicago', 'Cubs'],
  ['Chicago White Sox', 'CHW', 'Chicago', 'White Sox', 'ChiSox', 'CWS'],
  ['Cincinnati Reds', 'CIN', 'Cincinnati', 'Reds'],
  ['Cleveland Guardians', 'CLE', 'Cleveland', 'Guardians'],
  ['Colorado Rockies', 'COL', 'Colorado', 'Rockies'],
  ['Detroit Tigers', 'DET', 'Detroit', 'Tigers'],
  ['Houston Astros', 'HOU', 'Houston', 'Astros'],
  ['Kansas City Royals', 'KC', 'Kansas City|KC', 'Royals', '', 'KCR'],
  ['Los Angeles Angels', 'LAA', 'Los Angeles|LA|L.A.|Anaheim', 'Angels', 'Halos', 'ANA'],
  ['Los Angeles Dodgers', 'LAD', 'Los Angeles|LA|L.A.', 'Dodgers'],
  ['Miami Marlins', 'MIA', 'Miami', 'Marlins'],
  ['Milwaukee Brewers', 'MIL', 'Milwaukee', 'Brewers', 'Brew Crew'],
  ['Minnesota Twins', 'MIN', 'Minnesota', 'Twins'],
  ['New York Mets', 'NYM', 'New York|NY', 'Mets'],
  ['New York Yankees', 'NYY', 'New York|NY', 'Yankees', 'Yanks'],
  ['Philadelphia Phillies', 'PHI', 'Philadelphia|Philly', 'Phillies', 'Phils'],
  ['Pittsburgh Pirates', 'PIT', 'Pittsburgh', 'Pirates', 'Bucs'],
  ['San Diego Padres', 'SD', 'San Diego', 'Padres', '', 'SDP'],
  ['San Francisco Giants', 'SF', 'San Francisco', 'Giants', '', 'SFG'],
  ['Seattle Mariners', 'SEA', 'Seattle', 'Mariners'],
  ['St. Louis Cardinals', 'STL', 'St. Louis|St Louis', 'Cardinals', 'Cards'],
  ['Tampa Bay Rays', 'TB', 'Tampa Bay|Tampa', 'Rays', '', 'TBR'],
  ['Texas Rangers', 'TEX', 'Texas', 'Rangers'],
  ['Toronto Blue Jays', 'TOR', 'Toronto', 'Blue Jays', 'Jays'],
  ['Washington Nationals', 'WSH', 'Washington', 'Nationals', 'Nats', 'WSN|WAS'],
]);

const MLS = table('mls', [
  ['Atlanta United FC', 'ATL', 'Atlanta', '', 'Atlanta United|Atlanta Utd', 'ATLU'],
  ['Austin FC', 'ATX', 'Austin', '', '', 'AUS'],
  ['Charlotte FC', 'CLT', 'Charlotte', '', '', 'CHA'],
  ['Chicago Fire FC', 'CHI', 'Chicago', '', 'Chicago Fire'],
  ['FC Cincinnati', 'CIN', 'Cincinnati', '', '', 'FCC'],
  ['Colorado Rapids', 'COL', 'Colorado', 'Rapids'],
  ['Columbus Crew', 'CLB', 'Columbus', 'Crew', 'Columbus Crew SC', 'CLMB'],
  ['D.C. United', 'DC', 'D.C.|DC|Washington', '', 'DC United|D.C. United', 'DCU'],
  ['FC Dallas', 'DAL', 'Dallas', '', '', 'FCD'],
  ['Houston Dynamo FC', 'HOU', 'Houston', 'Dynamo', 'Houston Dynamo'],
  ['Inter Miami CF', 'MIA', 'Miami', '', 'Inter Miami', 'IMCF'],
  ['LA Galaxy', 'LA', 'LA|Los Angeles|L.A.', 'Galaxy', '', 'LAG'],
  ['LAFC', 'LAFC', 'LA|Los Angeles|L.A.', '', 'Los Angeles FC|LA FC'],
  ['Minnesota United FC', 'MIN', 'Minnesota', '', 'Minnesota United|Minnesota Utd|MNUFC', 'MNU'],
  ['CF Montréal', 'MTL', 'Montreal', '', 'CF Montreal|Club de Foot Montreal', 'CFM'],
  ['Nashville SC', 'NSH', 'Nashville', '', '', 'NASH'],
  ['New England Revolution', 'NE', 'New England', 'Revolution', 'Revs|New England Revs', 'NER'],
  ['New York City FC', 'NYC', 'New York|NY', '', 'NYCFC|NYC FC|New York City', 'NYCFC'],
  ['Red Bull New York', 'NY', 'New York|NY', '', 'New York Red Bulls|NY Red Bulls|Red Bulls|RB New York', 'RBNY|NYRB'],
  ['Orlando City SC', 'ORL', 'Orlando', '', 'Orlando City'],
  ['Philadelphia Union', 'PHI', 'Philadelphia|Philly', '', 'Philadelphia Union|Philly Union'],
  ['Portland Timbers', 'POR', 'Portland', 'Timbers'],
  ['Real Salt Lake', 'RSL', 'Salt Lake', '', 'Real Salt Lake|RSL'],
  ['San Diego FC', 'SD', 'San Diego', '', 'SDFC', 'SDFC'],
  ['San Jose Earthquakes', 'SJ', 'San Jose', 'Earthquakes', 'Quakes', 'SJE'],
  ['Seattle Sounders FC', 'SEA', 'Seattle', 'Sounders', 'Seattle Sounders'],
  ['Sporting Kansas City', 'SKC', 'Kansas City|KC', '', 'Sporting KC|Sporting Kansas City|Sporting'],
  ['St. Louis CITY SC', 'STL', 'St. Louis|St Louis', '', 'St. Louis City|St Louis City SC|STL City', 'STLC'],
  ['Toronto FC', 'TOR', 'Toronto', '', 'TFC', 'TFC'],
  ['Vancouver Whitecaps', 'VAN', 'Vancouver', 'Whitecaps', 'Vancouver Whitecaps FC'],
]);

const EPL = table('epl', [
  ['Arsenal', 'ARS', '', '', 'Arsenal FC|Gunners'],
  ['Aston Villa', 'AVL', '', '', 'Villa', 'AST'],
  ['AFC Bournemouth', 'BOU', 'Bournemouth', '', 'Cherries'],
  ['Brentford', 'BRE', '', '', 'Bees'],
  ['Brighton & Hove Albion', 'BHA', 'Brighton', '', 'Brighton and Hove Albion|Brighton Hove Albion|Seagulls', 'BRI'],
  ['Burnley', 'BUR', '', '', 'Clarets'],
  ['Chelsea', 'CHE', '', '', 'Chelsea FC', 'CFC'],
  ['Crystal Palace', 'CRY', '', '', 'Palace', 'CPFC'],
  ['Everton', 'EVE', '', '', 'Toffees', 'EVR'],
  ['Fulham', 'FUL', '', '', 'Cottagers'],
  ['Leeds United', 'LEE', 'Leeds', '', 'Leeds Utd', 'LDS|LEEDS'],
  ['Liverpool', 'LIV', '', '', 'Liverpool FC', 'LFC'],
  ['Manchester City', 'MNC', 'Manchester', 'City', 'Man City|Man. City|Manchester C', 'MCI|MCFC'],
  ['Manchester United', 'MAN', 'Manchester', 'United', 'Man United|Man Utd|Manchester Utd|Man U|Manchester U', 'MUN|MUFC'],
  ['Newcastle United', 'NEW', 'Newcastle', '', 'Newcastle Utd|Magpies', 'NEWC|NCL'],
  ['Nottingham Forest', 'NFO', 'Nottingham', '', "Forest|Nott'm Forest|Notts Forest", 'NOTT|NFFC'],
  ['Sunderland', 'SUN', '', '', 'Black Cats', 'SUND'],
  ['Tottenham Hotspur', 'TOT', 'Tottenham', '', 'Spurs', 'THFC'],
  ['West Ham United', 'WHU', '', '', 'West Ham|Hammers', 'WHM'],
  ['Wolverhampton Wanderers', 'WOL', 'Wolverhampton', '', 'Wolves', 'WLV'],
]);

const NCAAF = table('ncaaf', [
  ['Alabama Crimson Tide', 'ALA', 'Alabama', 'Crimson Tide', 'Bama|Crimson Tide', 'BAMA'],
  ['Georgia Bulldogs', 'UGA', 'Georgia', 'Bulldogs', '', 'GA'],
  ['Ohio State Buckeyes', 'OSU', 'Ohio State', 'Buckeyes', 'Buckeyes', 'OHST'],
  ['Michigan Wolverines', 'MICH', 'Michigan', 'Wolverines', '', 'MICH'],
  ['Texas Longhorns', 'TEX', 'Texas', 'Longhorns', 'Longhorns', 'TX'],
  ['LSU Tigers', 'LSU', 'LSU|Louisiana State', 'Tigers'],
  ['Notre Dame Fighting Irish', 'ND', 'Notre Dame', 'Fighting Irish', 'Fighting Irish', 'NDAM'],
  ['Oregon Ducks', 'ORE', 'Oregon', 'Ducks', '', 'ORGN'],
  ['Clemson Tigers', 'CLEM', 'Clemson', 'Tigers', '', 'CLMS'],
  ['USC Trojans', 'USC', 'USC|Southern California|Southern Cal', 'Trojans'],
  ['Penn State Nittany Lions', 'PSU', 'Penn State', 'Nittany Lions', 'Nittany Lions', 'PNST'],
  ['Florida State Seminoles', 'FSU', 'Florida State', 'Seminoles', 'Seminoles|Noles'],
  // Near-namesakes of the programs above.
  ['Michigan State Spartans', 'MSU', 'Michigan State|Michigan St', 'Spartans', '', 'MIST'],
  ['Oregon State Beavers', 'ORST', 'Oregon State|Oregon St', 'Beavers', '', 'ORS'],
  ['Texas Tech Red Raiders', 'TTU', 'Texas Tech', 'Red Raiders', 'Red Raiders'],
  ['Texas A&M Aggies', 'TA&M', 'Texas A&M', 'Aggies', '', 'TAMU'],
  ['Georgia Tech Yellow Jackets', 'GT', 'Georgia Tech', 'Yellow Jackets', 'Yellow Jackets', 'GTECH'],
  ['Florida Gators', 'FLA', 'Florida', 'Gators', 'Gators', 'UF'],
  ['Kansas State Wildcats', 'KSU', 'Kansas State|Kansas St|K-State', 'Wildcats', '', 'KSST'],
  ['Ohio Bobcats', 'OHIO', 'Ohio', 'Bobcats'],
]);

const NCAAB = table('ncaab', [
  ['Duke Blue Devils', 'DUKE', 'Duke', 'Blue Devils'],
  ['North Carolina Tar Heels', 'UNC', 'North Carolina|UNC', 'Tar Heels', 'Tar Heels', 'NC'],
  ['Kentucky Wildcats', 'UK', 'Kentucky', 'Wildcats', '', 'KEN|UKY'],
  ['Kansas Jayhawks', 'KU', 'Kansas', 'Jayhawks', 'Jayhawks', 'KAN'],
  ['Gonzaga Bulldogs', 'GONZ', 'Gonzaga', 'Bulldogs', 'Zags', 'GONZ'],
  ['UConn Huskies', 'CONN', 'UConn|Connecticut', 'Huskies', '', 'UCONN'],
  ['Villanova Wildcats', 'VILL', 'Villanova', 'Wildcats', 'Nova', 'NOVA'],
  ['Michigan State Spartans', 'MSU', 'Michigan State|Michigan St', 'Spartans', '', 'MIST'],
  ['Houston Cougars', 'HOU', 'Houston', 'Cougars', '', 'HOUS'],
  ['Purdue Boilermakers', 'PUR', 'Purdue', 'Boilermakers', 'Boilermakers|Boilers', 'PURD'],
  ['Arizona Wildcats', 'ARIZ', 'Arizona', 'Wildcats', '', 'ARIZ'],
  ['UCLA Bruins', 'UCLA', 'UCLA', 'Bruins'],
  // Near-namesakes of the programs above.
  ['Kansas State Wildcats', 'KSU', 'Kansas State|Kansas St|K-State', 'Wildcats', '', 'KSST'],
  ['Arizona State Sun Devils', 'ASU', 'Arizona State|Arizona St', 'Sun Devils', 'Sun Devils', 'AZST'],
  ['NC State Wolfpack', 'NCSU', 'NC State|North Carolina State|N.C. State', 'Wolfpack'],
  ['Michigan Wolverines', 'MICH', 'Michigan', 'Wolverines'],
  ['Houston Christian Huskies', 'HCU', 'Houston Christian', 'Huskies'],
  ['Western Kentucky Hilltoppers', 'WKU', 'Western Kentucky', 'Hilltoppers', 'Hilltoppers'],
  ['Purdue Fort Wayne Mastodons', 'PFW', 'Purdue Fort Wayne', 'Mastodons', 'Mastodons'],
]);

export const TEAM_ALIASES: Readonly<Record<Sport, readonly TeamAliasEntry[]>> = Object.freeze({
  nfl: NFL,
  ncaaf: NCAAF,
  nba: NBA,
  ncaab: NCAAB,
  nhl: NHL,
  mlb: MLB,
  mls: MLS,
  epl: EPL,
});

/**
 * Mascots of college programs not in the tables above, so a team ESPN sends that we do not
 * know ("Baylor Bears") can still be split into school and mascot.
 */
export const EXTRA_COLLEGE_MASCOTS: readonly string[] = Object.freeze([
  'Aggies', 'Aztecs', 'Badgers', 'Bearcats', 'Bears', 'Beavers', 'Billikens', 'Bison', 'Blue Demons', 'Blue Raiders',
  'Bluejays', 'Blue Jays', 'Bobcats', 'Boilermakers', 'Broncos', 'Bruins', 'Buckeyes', 'Buffaloes', 'Bulldogs', 'Bulls',
  'Cardinal', 'Cardinals', 'Chippewas', 'Commodores', 'Cornhuskers', 'Cougars', 'Cowboys', 'Crimson Tide', 'Cyclones',
  'Demon Deacons', 'Ducks', 'Dukes', 'Eagles', 'Explorers', 'Falcons', 'Fighting Illini', 'Flyers', 'Friars',
  'Gaels', 'Gamecocks', 'Gators', 'Golden Bears', 'Golden Eagles', 'Golden Flashes', 'Golden Gophers', 'Golden Hurricane',
  'Hawkeyes', 'Hilltoppers', 'Hokies', 'Hoosiers', 'Horned Frogs', 'Hoyas', 'Hurricanes', 'Huskies', 'Jackrabbits',
  'Jayhawks', 'Knights', 'Lobos', 'Longhorns', 'Mastodons', 'Mean Green', 'Miners', 'Minutemen', 'Mountaineers',
  'Musketeers', 'Mustangs', 'Nittany Lions', 'Orange', 'Owls', 'Panthers', 'Pirates', 'Rainbow Warriors', 'Rams',
  'Razorbacks', 'Rebels', 'Red Raiders', 'Red Storm', 'RedHawks', 'Roadrunners', 'Rockets', 'Salukis', 'Scarlet Knights',
  'Seminoles', 'Shockers', 'Sooners', 'Spartans', 'Spiders', 'Sun Devils', 'Sycamores', 'Tar Heels', 'Terrapins',
  'Thundering Herd', 'Tigers', 'Trojans', 'Utes', 'Volunteers', 'Wildcats', 'Wolfpack', 'Wolverines', 'Yellow Jackets', 'Zips',
]);
