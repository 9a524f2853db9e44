//! Reproducible demo data for Qiandongnan (黔东南州), Guizhou.
//!
//! The generator builds the "two directories" of the regime — enterprises
//! (检查对象名录库) and law-enforcement inspectors (执法检查人员名录库) — plus
//! a recusal (回避) list and a history of past inspections, all fictional
//! but shaped like the real thing: 16 counties with their division codes,
//! 44 market-regulation stations (市场监管所), valid unified social credit
//! codes, a realistic credit-class mix and realistic statuses.
//!
//! # Reproducibility
//!
//! Every table is drawn from its own stream of
//! `ChaCha20Rng::seed_from_u64(seed)` (see [`DemoConfig::seed`]); no other
//! randomness is used and no hash-map iteration reaches the output, so a
//! given `(count, seed)` always yields the same bytes. Random integers are
//! derived from `next_u64` by this module itself (not by `rand`'s
//! distribution code), so the output depends only on the ChaCha20 stream.
//!
//! [`enterprises`] is prefix-stable: the first `n` rows for a seed are the
//! same whatever the total count, so `enterprises(200, seed)` equals the
//! first 200 rows of `enterprises(80_000, seed)`.
//!
//! Station names, street names and the like are plausible, not an official
//! list; company and personal names are invented.
//!
//! Beside the two directories, [`ITEMS`] is the item list (抽查事项清单) of
//! the five departments (`items.csv`, SPEC §10.1), and [`batch`] writes a
//! batch plan of many small tasks for benchmarks.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use spotcheck::inputs::uscc;

pub mod batch;

/// The seed used for the committed files under `data/`.
pub const DEFAULT_SEED: u64 = 20_250_301;
/// Number of enterprises in the committed `data/enterprises.csv`.
pub const DEFAULT_ENTERPRISES: usize = 80_000;
/// Number of inspectors in the committed `data/inspectors.csv`.
pub const DEFAULT_INSPECTORS: usize = 700;
/// Number of recusal rows in the committed `data/conflicts.csv`.
pub const DEFAULT_CONFLICTS: usize = 30;
/// Number of past inspections in the committed `data/history.csv`.
pub const DEFAULT_HISTORY: usize = 3_000;
/// How many enterprises go into the GB18030 sample file.
pub const GB18030_SAMPLE_ROWS: usize = 200;

/// First day of the demo inspection window (2025-03-01).
pub const WINDOW_START: NaiveDate = ymd(2025, 3, 1);
/// Last day of the demo inspection window (2025-11-30).
pub const WINDOW_END: NaiveDate = ymd(2025, 11, 30);
/// First day covered by [`history`] (2023-01-01).
pub const HISTORY_START: NaiveDate = ymd(2023, 1, 1);
/// Last day covered by [`history`] (2025-02-28), the eve of the window.
pub const HISTORY_END: NaiveDate = ymd(2025, 2, 28);

/// Header of `enterprises.csv`.
pub const ENTERPRISES_HEADER: [&str; 9] = [
    "uscc",
    "name",
    "credit_class",
    "county",
    "industry",
    "status",
    "supervising_area",
    "address",
    "registered_on",
];
/// Header of `inspectors.csv`.
pub const INSPECTORS_HEADER: [&str; 8] = [
    "inspector_id",
    "name",
    "department",
    "area",
    "cert_no",
    "cert_expires",
    "specialties",
    "status",
];
/// Header of `conflicts.csv`.
pub const CONFLICTS_HEADER: [&str; 3] = ["inspector_id", "uscc", "reason"];
/// Header of `history.csv`.
pub const HISTORY_HEADER: [&str; 3] = ["uscc", "inspected_on", "inspector_ids"];

/// The department whose inspectors carry out company-information checks
/// and every inspection in [`history`].
pub const MARKET_REGULATION: &str = "市场监管局";

/// Statuses of an enterprise that is not in an active directory.
pub const INACTIVE_STATUSES: [&str; 4] = ["注销", "吊销", "撤销", "迁出"];

/// Every specialty an inspector may hold, in the order used when they are
/// written out.
pub const SPECIALTIES: [&str; 12] = [
    "企业公示信息",
    "食品安全",
    "产品质量",
    "特种设备",
    "价格监管",
    "广告监管",
    "计量",
    "药品",
    "税务稽查",
    "公共卫生",
    "安全生产",
    "环境执法",
];

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("invalid date"),
    }
}

// ---------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------

/// A market-regulation station (市场监管所), the patrol area that
/// supervises firms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Station {
    /// Full name, e.g. "凯里市城区市场监管所"; used as `supervising_area`
    /// and as an inspector's `area`.
    pub name: &'static str,
    /// Locality used in addresses ("" for the county seat's urban area).
    pub town: &'static str,
    /// Relative share of the county's firms.
    pub weight: u32,
}

/// One of Qiandongnan's 16 county-level divisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct County {
    /// Six-digit administrative division code (positions 3–8 of a credit
    /// code).
    pub code: &'static str,
    /// Name, e.g. "凯里市".
    pub name: &'static str,
    /// Relative share of the prefecture's firms.
    pub weight: u32,
    /// Its stations; the first is the county seat's.
    pub stations: &'static [Station],
}

const fn st(name: &'static str, town: &'static str, weight: u32) -> Station {
    Station { name, town, weight }
}

/// Qiandongnan's counties, their division codes, weights and stations.
/// Kaili (凯里市), the prefectural seat, has about a third of the firms.
pub static COUNTIES: [County; 16] = [
    County {
        code: "522601",
        name: "凯里市",
        weight: 300,
        stations: &[
            st("凯里市城区市场监管所", "", 45),
            st("凯里市开发区市场监管所", "经济开发区", 25),
            st("凯里市炉山市场监管所", "炉山镇", 10),
            st("凯里市三棵树市场监管所", "三棵树镇", 8),
            st("凯里市湾水市场监管所", "湾水镇", 6),
            st("凯里市旁海市场监管所", "旁海镇", 6),
        ],
    },
    County {
        code: "522622",
        name: "黄平县",
        weight: 50,
        stations: &[
            st("黄平县新州市场监管所", "", 60),
            st("黄平县旧州市场监管所", "旧州镇", 25),
            st("黄平县重安市场监管所", "重安镇", 15),
        ],
    },
    County {
        code: "522623",
        name: "施秉县",
        weight: 25,
        stations: &[
            st("施秉县城关市场监管所", "", 70),
            st("施秉县牛大场市场监管所", "牛大场镇", 30),
        ],
    },
    County {
        code: "522624",
        name: "三穗县",
        weight: 32,
        stations: &[
            st("三穗县八弓市场监管所", "", 70),
            st("三穗县台烈市场监管所", "台烈镇", 30),
        ],
    },
    County {
        code: "522625",
        name: "镇远县",
        weight: 45,
        stations: &[
            st("镇远县城关市场监管所", "", 60),
            st("镇远县青溪市场监管所", "青溪镇", 20),
            st("镇远县羊坪市场监管所", "羊坪镇", 20),
        ],
    },
    County {
        code: "522626",
        name: "岑巩县",
        weight: 30,
        stations: &[
            st("岑巩县思旸市场监管所", "", 70),
            st("岑巩县天马市场监管所", "天马镇", 30),
        ],
    },
    County {
        code: "522627",
        name: "天柱县",
        weight: 55,
        stations: &[
            st("天柱县凤城市场监管所", "", 60),
            st("天柱县邦洞市场监管所", "邦洞街道", 25),
            st("天柱县高酿市场监管所", "高酿镇", 15),
        ],
    },
    County {
        code: "522628",
        name: "锦屏县",
        weight: 30,
        stations: &[
            st("锦屏县三江市场监管所", "", 70),
            st("锦屏县敦寨市场监管所", "敦寨镇", 30),
        ],
    },
    County {
        code: "522629",
        name: "剑河县",
        weight: 32,
        stations: &[
            st("剑河县革东市场监管所", "", 70),
            st("剑河县岑松市场监管所", "岑松镇", 30),
        ],
    },
    County {
        code: "522630",
        name: "台江县",
        weight: 25,
        stations: &[
            st("台江县台拱市场监管所", "", 70),
            st("台江县施洞市场监管所", "施洞镇", 30),
        ],
    },
    County {
        code: "522631",
        name: "黎平县",
        weight: 75,
        stations: &[
            st("黎平县德凤市场监管所", "", 55),
            st("黎平县中潮市场监管所", "中潮镇", 15),
            st("黎平县肇兴市场监管所", "肇兴镇", 15),
            st("黎平县水口市场监管所", "水口镇", 15),
        ],
    },
    County {
        code: "522632",
        name: "榕江县",
        weight: 60,
        stations: &[
            st("榕江县古州市场监管所", "", 65),
            st("榕江县忠诚市场监管所", "忠诚镇", 20),
            st("榕江县平江市场监管所", "平江镇", 15),
        ],
    },
    County {
        code: "522633",
        name: "从江县",
        weight: 55,
        stations: &[
            st("从江县丙妹市场监管所", "", 60),
            st("从江县贯洞市场监管所", "贯洞镇", 25),
            st("从江县洛香市场监管所", "洛香镇", 15),
        ],
    },
    County {
        code: "522634",
        name: "雷山县",
        weight: 30,
        stations: &[
            st("雷山县丹江市场监管所", "", 60),
            st("雷山县西江市场监管所", "西江镇", 40),
        ],
    },
    County {
        code: "522635",
        name: "麻江县",
        weight: 35,
        stations: &[
            st("麻江县杏山市场监管所", "", 60),
            st("麻江县谷硐市场监管所", "谷硐镇", 20),
            st("麻江县宣威市场监管所", "宣威镇", 20),
        ],
    },
    County {
        code: "522636",
        name: "丹寨县",
        weight: 25,
        stations: &[
            st("丹寨县龙泉市场监管所", "", 70),
            st("丹寨县兴仁市场监管所", "兴仁镇", 30),
        ],
    },
];

/// All station names, county by county, in [`COUNTIES`] order.
pub fn station_names() -> Vec<&'static str> {
    COUNTIES
        .iter()
        .flat_map(|c| c.stations.iter().map(|s| s.name))
        .collect()
}

/// The county a station (area) name belongs to, if it is one of ours.
pub fn county_of_area(area: &str) -> Option<&'static County> {
    COUNTIES.iter().find(|c| c.stations.iter().any(|s| s.name == area))
}

fn county_index(name: &str) -> Option<usize> {
    COUNTIES.iter().position(|c| c.name == name)
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

/// One row of `enterprises.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEnterprise {
    /// Unified social credit code; passes [`uscc::validate`].
    pub uscc: String,
    /// Registered name.
    pub name: String,
    /// Credit-risk class, one of `A`, `B`, `C`, `D`.
    pub credit_class: char,
    /// County name, e.g. "凯里市".
    pub county: String,
    /// Industry, e.g. "批发和零售业".
    pub industry: String,
    /// Registration status: 存续, 在业, 开业, 注销, 吊销, 撤销 or 迁出.
    pub status: String,
    /// Name of the supervising station, e.g. "凯里市城区市场监管所".
    pub supervising_area: String,
    /// Registered address.
    pub address: String,
    /// Date of establishment.
    pub registered_on: NaiveDate,
}

impl DemoEnterprise {
    /// Whether the firm belongs in an active directory (not deregistered,
    /// revoked or moved out).
    pub fn is_active(&self) -> bool {
        !INACTIVE_STATUSES.contains(&self.status.as_str())
    }
}

/// One row of `inspectors.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInspector {
    /// Identifier, e.g. "QDN-SJ-0001".
    pub inspector_id: String,
    /// Personal name.
    pub name: String,
    /// Department, e.g. "市场监管局".
    pub department: String,
    /// The station (area) the inspector belongs to; one of
    /// [`station_names`].
    pub area: String,
    /// Enforcement-certificate (执法证) number.
    pub cert_no: String,
    /// Last day the certificate is valid.
    pub cert_expires: NaiveDate,
    /// Specialties, in [`SPECIALTIES`] order; may be empty.
    pub specialties: Vec<String>,
    /// 在岗, 离岗 or 退休.
    pub status: String,
}

/// One row of `conflicts.csv`: an inspector who must not inspect a firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConflict {
    /// The inspector.
    pub inspector_id: String,
    /// The firm's credit code.
    pub uscc: String,
    /// Why, e.g. "亲属关系".
    pub reason: String,
}

/// One row of `history.csv`: a past inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInspection {
    /// The firm's credit code.
    pub uscc: String,
    /// Day of the inspection (a weekday in
    /// [`HISTORY_START`]..=[`HISTORY_END`]).
    pub inspected_on: NaiveDate,
    /// The two market-regulation inspectors, sorted.
    pub inspector_ids: Vec<String>,
}

// ---------------------------------------------------------------------------
// Randomness helpers (all integer, all derived from next_u64)
// ---------------------------------------------------------------------------

const STREAM_ENTERPRISES: u64 = 1;
const STREAM_INSPECTORS: u64 = 2;
const STREAM_CONFLICTS: u64 = 3;
const STREAM_HISTORY: u64 = 4;

fn rng_for(seed: u64, stream: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Uniform integer in `0..n` (Lemire's method with rejection; unbiased).
fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    assert!(n > 0, "below(0)");
    let threshold = n.wrapping_neg() % n;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(n);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

fn index(rng: &mut ChaCha20Rng, len: usize) -> usize {
    below(rng, len as u64) as usize
}

fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    &items[index(rng, items.len())]
}

/// Index drawn with probability proportional to `weights`.
fn weighted(rng: &mut ChaCha20Rng, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    let mut r = below(rng, total);
    for (i, &w) in weights.iter().enumerate() {
        if r < u64::from(w) {
            return i;
        }
        r -= u64::from(w);
    }
    unreachable!("r < total")
}

/// An item of `(item, weight)` pairs drawn by weight.
fn pick_weighted<T: Copy>(rng: &mut ChaCha20Rng, table: &[(T, u32)]) -> T {
    let weights: Vec<u32> = table.iter().map(|&(_, w)| w).collect();
    table[weighted(rng, &weights)].0
}

/// True with probability `per_mille / 1000`.
fn chance(rng: &mut ChaCha20Rng, per_mille: u64) -> bool {
    below(rng, 1000) < per_mille
}

/// Uniform date in `start..=end`.
fn date_between(rng: &mut ChaCha20Rng, start: NaiveDate, end: NaiveDate) -> NaiveDate {
    let span = (end - start).num_days();
    assert!(span >= 0, "empty date range");
    start + Days::new(below(rng, span as u64 + 1))
}

fn shuffle<T>(rng: &mut ChaCha20Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = index(rng, i + 1);
        items.swap(i, j);
    }
}

/// SplitMix64's finaliser: a fixed bijective mixer on `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A keyed permutation of `0..domain`: a balanced Feistel network on the
/// smallest even number of bits that covers the domain, with cycle-walking
/// back into range. Feeding it a counter gives distinct, random-looking
/// values, so credit codes are unique by construction.
struct Permutation {
    domain: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(rng: &mut ChaCha20Rng, domain: u64) -> Self {
        let bits = 64 - (domain - 1).leading_zeros();
        let half_bits = bits.div_ceil(2);
        let keys = [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()];
        Permutation {
            domain,
            half_bits,
            keys,
        }
    }

    fn round_trip(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in self.keys {
            let f = mix(right ^ key) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }

    fn apply(&self, x: u64) -> u64 {
        assert!(x < self.domain, "counter out of range");
        let mut y = self.round_trip(x);
        while y >= self.domain {
            y = self.round_trip(y);
        }
        y
    }
}

// ---------------------------------------------------------------------------
// Enterprises
// ---------------------------------------------------------------------------

/// 31^6: the number of six-character tails after "MA".
const NEW_BODY_DOMAIN: u64 = 887_503_681;
/// 10^8: the number of eight-digit old organisation-code bodies.
const OLD_BODY_DOMAIN: u64 = 100_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 91: enterprise.
    Enterprise,
    /// 92: individual business (个体工商户).
    Individual,
    /// 93: farmers' professional cooperative (农民专业合作社).
    Cooperative,
}

const KINDS: [(Kind, u32); 3] = [(Kind::Enterprise, 900), (Kind::Individual, 60), (Kind::Cooperative, 40)];

const CLASSES: [(char, u32); 4] = [('A', 200), ('B', 650), ('C', 120), ('D', 30)];

const STATUSES: [(&str, u32); 7] = [
    ("存续", 9750),
    ("在业", 50),
    ("开业", 50),
    ("注销", 70),
    ("吊销", 50),
    ("撤销", 10),
    ("迁出", 20),
];

const AGRICULTURE: &str = "农、林、牧、渔业";

/// Industries of companies (91), with weights and the words used in names.
const COMPANY_INDUSTRIES: [(&str, u32, &[&str]); 10] = [
    (
        "批发和零售业",
        280,
        &[
            "商贸",
            "贸易",
            "百货",
            "超市",
            "五金建材",
            "医药",
            "农资",
            "汽车销售",
            "烟酒",
            "电器",
        ],
    ),
    (
        "住宿和餐饮业",
        80,
        &["餐饮管理", "酒店管理", "酒店", "餐饮服务", "民宿", "农家乐"],
    ),
    (
        "制造业",
        80,
        &[
            "木业",
            "机械制造",
            "新型建材",
            "服装",
            "家具",
            "纸业",
            "电子科技",
            "银饰工艺品",
        ],
    ),
    (
        "建筑业",
        120,
        &[
            "建筑工程",
            "建设工程",
            "装饰工程",
            "路桥工程",
            "建筑劳务",
            "水电安装工程",
            "园林绿化工程",
        ],
    ),
    (
        AGRICULTURE,
        100,
        &["农业发展", "生态农业", "养殖", "林业开发", "茶业", "农业科技", "种植"],
    ),
    ("交通运输业", 60, &["物流", "运输", "客运", "货运", "汽车运输"]),
    (
        "信息技术服务业",
        40,
        &["网络科技", "信息技术", "软件科技", "电子商务", "数据科技"],
    ),
    (
        "租赁和商务服务业",
        110,
        &[
            "商务咨询",
            "企业管理",
            "广告传媒",
            "人力资源",
            "设备租赁",
            "文化传媒",
            "旅游开发",
        ],
    ),
    (
        "居民服务业",
        60,
        &["家政服务", "物业管理", "保洁服务", "洗涤服务", "汽车服务"],
    ),
    (
        "食品生产",
        70,
        &["食品", "酸汤食品", "米粉加工", "酒业", "茶叶加工", "粮油", "饮品"],
    ),
];

/// Industries of individual businesses (92), with the shop words.
const SHOP_INDUSTRIES: [(&str, u32, &[&str]); 4] = [
    (
        "批发和零售业",
        400,
        &["便利店", "五金店", "日用百货店", "服装店", "烟酒店", "副食店", "手机店"],
    ),
    (
        "住宿和餐饮业",
        350,
        &["酸汤鱼馆", "米粉店", "小吃店", "烧烤店", "饭店", "农家乐", "旅馆"],
    ),
    (
        "居民服务业",
        150,
        &["理发店", "洗车店", "家电维修部", "干洗店", "摄影部"],
    ),
    ("食品生产", 100, &["豆腐坊", "米酒坊", "糕点坊", "辣椒加工坊", "粑粑坊"]),
];

/// What farmers' cooperatives (93) do.
const COOP_PRODUCTS: [&str; 15] = [
    "农业",
    "茶叶种植",
    "香猪养殖",
    "蔬菜种植",
    "精品水果种植",
    "中药材种植",
    "稻鱼鸭综合种养",
    "食用菌种植",
    "油茶种植",
    "蓝莓种植",
    "生猪养殖",
    "肉牛养殖",
    "农机",
    "优质稻种植",
    "林下养鸡",
];

/// Place-like trade names used by cooperatives.
const COOP_PLACES: [&str; 16] = [
    "侗乡",
    "苗乡",
    "苗岭",
    "清水江",
    "都柳江",
    "月亮山",
    "雷公山",
    "高山",
    "生态",
    "绿源",
    "丰收",
    "金穗",
    "山里",
    "云上",
    "梯田",
    "青山",
];

/// First characters of trade names (字号).
const BRAND_FIRST: [&str; 60] = [
    "鑫", "恒", "华", "宏", "兴", "盛", "瑞", "金", "荣", "嘉", "锦", "泰", "顺", "福", "德", "丰", "祥", "宇", "天",
    "正", "新", "永", "安", "隆", "众", "黔", "苗", "侗", "清", "凯", "达", "益", "润", "佳", "卓", "汇", "源", "诚",
    "信", "和", "博", "创", "美", "优", "富", "旺", "康", "乐", "春", "明", "光", "亿", "万", "千", "宝", "龙", "凤",
    "远", "东", "峰",
];

/// Second (and third) characters of trade names.
const BRAND_SECOND: [&str; 50] = [
    "源", "通", "达", "盛", "昌", "发", "利", "鑫", "辉", "泰", "华", "和", "远", "晟", "宇", "隆", "丰", "诚", "邦",
    "越", "博", "禾", "锐", "晖", "成", "航", "顺", "鸿", "腾", "森", "洋", "康", "茂", "兴", "旺", "安", "嘉", "信",
    "恒", "祥", "瑞", "宏", "科", "创", "峰", "川", "林", "伟", "凯", "亿",
];

const COMPANY_FORMS: [(&str, u32); 3] = [("有限公司", 75), ("有限责任公司", 22), ("股份有限公司", 3)];

const KAILI_STREETS: [&str; 14] = [
    "北京东路",
    "北京西路",
    "韶山南路",
    "韶山北路",
    "宁波路",
    "文化北路",
    "文化南路",
    "营盘东路",
    "营盘西路",
    "环城西路",
    "清江路",
    "金井路",
    "永丰路",
    "大十字街",
];

const SEAT_STREETS: [&str; 14] = [
    "人民路",
    "和平路",
    "解放路",
    "民主路",
    "新华路",
    "建设路",
    "中山路",
    "滨江路",
    "环城路",
    "府前路",
    "文化路",
    "迎宾大道",
    "商贸街",
    "新城大道",
];

const TOWN_STREETS: [&str; 8] = [
    "中街",
    "新街",
    "老街",
    "兴隆街",
    "河滨路",
    "迎宾路",
    "站前路",
    "工业园区",
];

/// Relative number of firms established in a year.
fn year_weight(year: i32) -> u32 {
    match year {
        ..=2004 => 2,
        2005..=2009 => 4,
        2010..=2013 => 6,
        2014..=2015 => 9,
        2016..=2019 => 12,
        2020..=2024 => 14,
        _ => 3, // January–February 2025
    }
}

fn registration_date(rng: &mut ChaCha20Rng, kind: Kind) -> NaiveDate {
    // Cooperatives exist since the 2007 law.
    let first_year = if kind == Kind::Cooperative { 2008 } else { 1995 };
    let years: Vec<(i32, u32)> = (first_year..=2025).map(|y| (y, year_weight(y))).collect();
    let year = pick_weighted(rng, &years);
    let start = ymd(year, 1, 1);
    let end = if year == 2025 { HISTORY_END } else { ymd(year, 12, 31) };
    date_between(rng, start, end)
}

fn brand(rng: &mut ChaCha20Rng, long: bool) -> String {
    let first = *pick(rng, &BRAND_FIRST);
    let mut s = String::from(first);
    let mut last = first;
    for _ in 0..if long { 2 } else { 1 } {
        let mut next = *pick(rng, &BRAND_SECOND);
        while next == last || s.contains(next) {
            next = *pick(rng, &BRAND_SECOND);
        }
        s.push_str(next);
        last = next;
    }
    s
}

/// A name and its uniqueness key (the name without its legal form).
fn firm_name(rng: &mut ChaCha20Rng, kind: Kind, county: &County, words: &[&str], long: bool) -> (String, String) {
    match kind {
        Kind::Enterprise => {
            let region = pick_weighted(rng, &[(county.name, 850), ("贵州", 80), ("黔东南州", 70)]);
            let key = format!("{region}{}{}", brand(rng, long), pick(rng, words));
            let form = pick_weighted(rng, &COMPANY_FORMS);
            (format!("{key}{form}"), key)
        }
        Kind::Individual => {
            let shop = *pick(rng, words);
            let name = if chance(rng, 400) {
                let surname = pick_weighted(rng, &SURNAMES);
                if long {
                    format!("{}{surname}记{}{shop}", county.name, brand(rng, false))
                } else {
                    format!("{}{surname}记{shop}", county.name)
                }
            } else {
                format!("{}{}{shop}", county.name, brand(rng, long))
            };
            (name.clone(), name)
        }
        Kind::Cooperative => {
            let trade = if chance(rng, 500) && !long {
                pick(rng, &COOP_PLACES).to_string()
            } else {
                brand(rng, long)
            };
            let key = format!("{}{trade}{}", county.name, pick(rng, &COOP_PRODUCTS));
            (format!("{key}专业合作社"), key)
        }
    }
}

fn address(rng: &mut ChaCha20Rng, county: &County, station: &Station) -> String {
    let street = if !station.town.is_empty() {
        *pick(rng, &TOWN_STREETS)
    } else if county.code == "522601" {
        *pick(rng, &KAILI_STREETS)
    } else {
        *pick(rng, &SEAT_STREETS)
    };
    let number = below(rng, 398) + 1;
    let floor = if chance(rng, 100) {
        format!("{}楼", below(rng, 8) + 2)
    } else {
        String::new()
    };
    format!("贵州省黔东南州{}{}{street}{number}号{floor}", county.name, station.town)
}

fn body_chars(mut value: u64, len: usize, radix: u64) -> String {
    let charset: Vec<char> = uscc::CHARSET.chars().collect();
    let mut out = vec!['0'; len];
    for slot in out.iter_mut().rev() {
        *slot = charset[(value % radix) as usize];
        value /= radix;
    }
    out.into_iter().collect()
}

/// How many of the first rows have names of their own: past them, a name
/// may repeat an earlier one (the draw does not care), so that a stream
/// of any length keeps only this many names in memory.
pub const UNIQUE_NAME_ROWS: usize = DEFAULT_ENTERPRISES;

/// `count` enterprises for `seed`. Prefix-stable: the first `n` rows do
/// not depend on `count`. The first `count` rows of [`enterprise_stream`].
pub fn enterprises(count: usize, seed: u64) -> Vec<DemoEnterprise> {
    enterprise_stream(seed).take(count).collect()
}

/// The enterprises for `seed`, one at a time, without end.
///
/// About 90% are companies (code prefix 91), 6% individual businesses (92)
/// and 4% farmers' cooperatives (93). Firms set up from 2016 on (and all
/// individual businesses and cooperatives) get a new-style body "MA…";
/// older companies keep an eight-digit organisation code. Codes are
/// unique by construction (keyed permutations of a counter) and checked;
/// names are unique among the first [`UNIQUE_NAME_ROWS`] rows.
pub fn enterprise_stream(seed: u64) -> EnterpriseStream {
    let mut rng = rng_for(seed, STREAM_ENTERPRISES);
    let new_bodies = Permutation::new(&mut rng, NEW_BODY_DOMAIN);
    let old_bodies = Permutation::new(&mut rng, OLD_BODY_DOMAIN);
    EnterpriseStream {
        rng,
        new_bodies,
        old_bodies,
        new_counter: 0,
        old_counter: 0,
        county_weights: COUNTIES.iter().map(|c| c.weight).collect(),
        names: HashSet::new(),
        rows: 0,
    }
}

/// The iterator of [`enterprise_stream`]; it holds no rows.
pub struct EnterpriseStream {
    rng: ChaCha20Rng,
    new_bodies: Permutation,
    old_bodies: Permutation,
    new_counter: u64,
    old_counter: u64,
    county_weights: Vec<u32>,
    /// Name keys of the first [`UNIQUE_NAME_ROWS`] rows.
    names: HashSet<String>,
    rows: usize,
}

impl Iterator for EnterpriseStream {
    type Item = DemoEnterprise;

    fn next(&mut self) -> Option<DemoEnterprise> {
        let rng = &mut self.rng;
        let kind = pick_weighted(rng, &KINDS);
        let county = &COUNTIES[weighted(rng, &self.county_weights)];
        let station_weights: Vec<u32> = county.stations.iter().map(|s| s.weight).collect();
        let station = &county.stations[weighted(rng, &station_weights)];
        let (industry, words): (&str, &[&str]) = match kind {
            Kind::Enterprise => {
                let weights: Vec<u32> = COMPANY_INDUSTRIES.iter().map(|i| i.1).collect();
                let i = &COMPANY_INDUSTRIES[weighted(rng, &weights)];
                (i.0, i.2)
            }
            Kind::Individual => {
                let weights: Vec<u32> = SHOP_INDUSTRIES.iter().map(|i| i.1).collect();
                let i = &SHOP_INDUSTRIES[weighted(rng, &weights)];
                (i.0, i.2)
            }
            Kind::Cooperative => (AGRICULTURE, &[]),
        };
        let registered_on = registration_date(rng, kind);

        let type_code = match kind {
            Kind::Enterprise => "91",
            Kind::Individual => "92",
            Kind::Cooperative => "93",
        };
        let body = if kind == Kind::Enterprise && registered_on.year() < 2016 {
            let v = self.old_bodies.apply(self.old_counter);
            self.old_counter += 1;
            format!("{v:08}")
        } else {
            let v = self.new_bodies.apply(self.new_counter);
            self.new_counter += 1;
            format!("MA{}", body_chars(v, 6, 31))
        };
        let prefix = format!("{type_code}{}{body}", county.code);
        let code = uscc::complete(&prefix).expect("prefix is 16 valid characters");
        assert!(uscc::validate(&code).is_ok(), "generated invalid code {code}");

        let unique = self.rows < UNIQUE_NAME_ROWS;
        let mut attempt = 0;
        let name = loop {
            let (name, key) = firm_name(rng, kind, county, words, attempt >= 10);
            if !unique || self.names.insert(key) {
                break name;
            }
            attempt += 1;
        };
        self.rows += 1;
        if self.rows == UNIQUE_NAME_ROWS {
            self.names = HashSet::new();
        }

        let credit_class = pick_weighted(rng, &CLASSES);
        let status = pick_weighted(rng, &STATUSES);
        let address = address(rng, county, station);
        Some(DemoEnterprise {
            uscc: code,
            name,
            credit_class,
            county: county.name.to_string(),
            industry: industry.to_string(),
            status: status.to_string(),
            supervising_area: station.name.to_string(),
            address,
            registered_on,
        })
    }
}

// ---------------------------------------------------------------------------
// Inspectors
// ---------------------------------------------------------------------------

/// Departments: name, id prefix, share (per 700), code in certificate
/// numbers, main specialty and an occasional second one.
const DEPARTMENTS: [(&str, &str, usize, u32, &str, &str); 5] = [
    (MARKET_REGULATION, "SJ", 450, 1, "企业公示信息", ""),
    ("税务局", "SW", 90, 2, "税务稽查", "企业公示信息"),
    ("卫生健康局", "WJ", 60, 3, "公共卫生", "食品安全"),
    ("应急管理局", "YJ", 50, 4, "安全生产", "特种设备"),
    ("生态环境局", "HJ", 50, 5, "环境执法", "安全生产"),
];

/// Specialties a market-regulation inspector may hold besides 企业公示信息.
const MARKET_SPECIALTIES: [&str; 7] = [
    "食品安全",
    "产品质量",
    "特种设备",
    "价格监管",
    "广告监管",
    "计量",
    "药品",
];

/// Common surnames, with Miao and Dong surnames (杨, 吴, 龙, 潘, 石) weighted
/// up as in Qiandongnan.
const SURNAMES: [(&str, u32); 30] = [
    ("杨", 12),
    ("吴", 10),
    ("龙", 7),
    ("潘", 6),
    ("王", 6),
    ("张", 5),
    ("李", 5),
    ("刘", 4),
    ("陈", 4),
    ("石", 4),
    ("罗", 3),
    ("黄", 3),
    ("欧", 2),
    ("田", 2),
    ("姚", 2),
    ("蒋", 2),
    ("韦", 2),
    ("周", 2),
    ("赵", 2),
    ("胡", 2),
    ("邰", 1),
    ("顾", 1),
    ("徐", 1),
    ("彭", 1),
    ("舒", 1),
    ("万", 1),
    ("文", 1),
    ("熊", 1),
    ("余", 1),
    ("金", 1),
];

const GIVEN_MALE: [&str; 30] = [
    "伟", "强", "军", "勇", "杰", "涛", "斌", "鹏", "浩", "俊", "明", "辉", "刚", "波", "磊", "飞", "超", "林", "峰",
    "华", "平", "东", "兴", "荣", "昌", "文", "武", "龙", "国", "建",
];

const GIVEN_FEMALE: [&str; 24] = [
    "芳", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琴", "红", "英", "梅", "兰", "慧", "莉", "萍",
    "洁", "琳", "丹", "颖", "倩",
];

const INSPECTOR_STATUSES: [(&str, u32); 3] = [("在岗", 960), ("离岗", 25), ("退休", 15)];

fn person_name(rng: &mut ChaCha20Rng) -> String {
    let surname = pick_weighted(rng, &SURNAMES);
    let pool: &[&str] = if chance(rng, 600) { &GIVEN_MALE } else { &GIVEN_FEMALE };
    let mut name = String::from(surname);
    let first = *pick(rng, pool);
    name.push_str(first);
    if chance(rng, 700) {
        let mut second = *pick(rng, pool);
        while second == first {
            second = *pick(rng, pool);
        }
        name.push_str(second);
    }
    name
}

fn pick_station(rng: &mut ChaCha20Rng) -> (&'static County, &'static Station) {
    let county_weights: Vec<u32> = COUNTIES.iter().map(|c| c.weight).collect();
    let county = &COUNTIES[weighted(rng, &county_weights)];
    let station_weights: Vec<u32> = county.stations.iter().map(|s| s.weight).collect();
    (county, &county.stations[weighted(rng, &station_weights)])
}

/// In canonical [`SPECIALTIES`] order.
fn canonical(chosen: &BTreeSet<&str>) -> Vec<String> {
    SPECIALTIES
        .iter()
        .filter(|s| chosen.contains(*s))
        .map(|s| s.to_string())
        .collect()
}

/// How many inspectors each department gets out of `count` (700 gives
/// 450 / 90 / 60 / 50 / 50; market regulation takes the rounding).
fn department_sizes(count: usize) -> [usize; 5] {
    let mut sizes = [0; 5];
    for (i, d) in DEPARTMENTS.iter().enumerate().skip(1) {
        sizes[i] = count * d.2 / 700;
    }
    sizes[0] = count - sizes[1..].iter().sum::<usize>();
    sizes
}

/// `count` inspectors for `seed`, grouped by department.
///
/// Market-regulation inspectors are spread so that every station has at
/// least two when there are enough of them; about 5% of certificates
/// expire inside the demo window, about 1.5% before it.
pub fn inspectors(count: usize, seed: u64) -> Vec<DemoInspector> {
    let mut rng = rng_for(seed, STREAM_INSPECTORS);
    let all_stations: Vec<(&County, &Station)> = COUNTIES
        .iter()
        .flat_map(|c| c.stations.iter().map(move |s| (c, s)))
        .collect();
    let sizes = department_sizes(count);

    let mut rows = Vec::with_capacity(count);
    let mut serial = 0u32;
    for (d, &(department, prefix, _, dept_code, main, second)) in DEPARTMENTS.iter().enumerate() {
        let n = sizes[d];
        let mut areas: Vec<(&County, &Station)> = Vec::with_capacity(n);
        if department == MARKET_REGULATION {
            // Two per station first, then by weight; shuffled so ids do
            // not follow stations.
            for k in 0..n.min(2 * all_stations.len()) {
                areas.push(all_stations[k % all_stations.len()]);
            }
            while areas.len() < n {
                areas.push(pick_station(&mut rng));
            }
            shuffle(&mut rng, &mut areas);
        } else {
            for _ in 0..n {
                areas.push(pick_station(&mut rng));
            }
        }

        for (k, (county, station)) in areas.into_iter().enumerate() {
            serial += 1;
            let name = person_name(&mut rng);
            let r = below(&mut rng, 1000);
            let cert_expires = if r < 15 {
                date_between(&mut rng, ymd(2024, 3, 1), WINDOW_START - Days::new(1))
            } else if r < 65 {
                date_between(&mut rng, WINDOW_START, WINDOW_END)
            } else {
                date_between(&mut rng, WINDOW_END + Days::new(1), ymd(2030, 12, 31))
            };

            let mut chosen: BTreeSet<&str> = BTreeSet::new();
            let r = below(&mut rng, 1000);
            if department == MARKET_REGULATION {
                if r >= 10 {
                    if r >= 30 {
                        chosen.insert(main);
                    }
                    let extra = pick_weighted(&mut rng, &[(0usize, 30), (1, 45), (2, 25)]);
                    let extra = if r < 30 { extra.max(1) } else { extra };
                    while chosen.len() < extra + usize::from(r >= 30) {
                        chosen.insert(*pick(&mut rng, &MARKET_SPECIALTIES));
                    }
                }
            } else if r >= 10 {
                chosen.insert(main);
                if chance(&mut rng, 250) {
                    chosen.insert(second);
                }
            }

            let status = pick_weighted(&mut rng, &INSPECTOR_STATUSES);
            rows.push(DemoInspector {
                inspector_id: format!("QDN-{prefix}-{:04}", k + 1),
                name,
                department: department.to_string(),
                area: station.name.to_string(),
                cert_no: format!("黔执{}{dept_code:02}{serial:05}", county.code),
                cert_expires,
                specialties: canonical(&chosen),
                status: status.to_string(),
            });
        }
    }
    rows
}

// ---------------------------------------------------------------------------
// Conflicts and history
// ---------------------------------------------------------------------------

const CONFLICT_REASONS: [(&str, u32); 4] = [
    ("亲属关系", 45),
    ("曾在该企业任职", 20),
    ("利害关系", 25),
    ("持有该企业股份", 10),
];

/// Active firms' indices, per county in [`COUNTIES`] order.
fn active_by_county(enterprises: &[DemoEnterprise]) -> Vec<Vec<usize>> {
    let mut by_county = vec![Vec::new(); COUNTIES.len()];
    for (i, e) in enterprises.iter().enumerate() {
        if e.is_active()
            && let Some(c) = county_index(&e.county)
        {
            by_county[c].push(i);
        }
    }
    by_county
}

/// `count` recusal rows linking real inspectors to real active firms,
/// mostly market-regulation inspectors and firms in their own county;
/// sorted by inspector and code, no pair twice.
pub fn conflicts(
    enterprises: &[DemoEnterprise],
    inspectors: &[DemoInspector],
    count: usize,
    seed: u64,
) -> Vec<DemoConflict> {
    let mut rng = rng_for(seed, STREAM_CONFLICTS);
    let by_county = active_by_county(enterprises);
    let active: Vec<usize> = (0..enterprises.len()).filter(|&i| enterprises[i].is_active()).collect();
    let market: Vec<usize> = (0..inspectors.len())
        .filter(|&i| inspectors[i].department == MARKET_REGULATION)
        .collect();
    if active.is_empty() || inspectors.is_empty() {
        return Vec::new();
    }

    let mut pairs: BTreeSet<(String, String, &str)> = BTreeSet::new();
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut attempts = 0;
    while seen.len() < count && attempts < count.saturating_mul(100) {
        attempts += 1;
        let inspector = if !market.is_empty() && chance(&mut rng, 850) {
            *pick(&mut rng, &market)
        } else {
            index(&mut rng, inspectors.len())
        };
        let local = county_of_area(&inspectors[inspector].area)
            .and_then(|c| county_index(c.name))
            .map(|c| &by_county[c])
            .filter(|list| !list.is_empty());
        let firm = match local {
            Some(list) if chance(&mut rng, 750) => *pick(&mut rng, list),
            _ => *pick(&mut rng, &active),
        };
        let reason = pick_weighted(&mut rng, &CONFLICT_REASONS);
        if seen.insert((inspector, firm)) {
            pairs.insert((
                inspectors[inspector].inspector_id.clone(),
                enterprises[firm].uscc.clone(),
                reason,
            ));
        }
    }
    pairs
        .into_iter()
        .map(|(inspector_id, uscc, reason)| DemoConflict {
            inspector_id,
            uscc,
            reason: reason.to_string(),
        })
        .collect()
}

/// Relative chance of a firm of each class being inspected in the past.
fn class_weight(class: char) -> u64 {
    match class {
        'A' => 1,
        'B' => 2,
        'C' => 5,
        _ => 12,
    }
}

/// `count` past inspections on weekdays between [`HISTORY_START`] and
/// [`HISTORY_END`], sorted by date and code.
///
/// Firms are drawn with weights by credit class (C and D more often) among
/// those registered before the day; each inspection has two distinct
/// market-regulation inspectors whose certificate is valid that day, who
/// belong to another station than the firm's (usually one in the same
/// county) and who have no conflict with the firm.
pub fn history(
    enterprises: &[DemoEnterprise],
    inspectors: &[DemoInspector],
    conflicts: &[DemoConflict],
    count: usize,
    seed: u64,
) -> Vec<DemoInspection> {
    let mut rng = rng_for(seed, STREAM_HISTORY);
    let market: Vec<&DemoInspector> = inspectors
        .iter()
        .filter(|i| i.department == MARKET_REGULATION)
        .collect();
    if enterprises.is_empty() || market.len() < 2 {
        return Vec::new();
    }
    let conflict_pairs: BTreeSet<(&str, &str)> = conflicts
        .iter()
        .map(|c| (c.inspector_id.as_str(), c.uscc.as_str()))
        .collect();
    let mut cumulative = Vec::with_capacity(enterprises.len());
    let mut total = 0u64;
    for e in enterprises {
        total += class_weight(e.credit_class);
        cumulative.push(total);
    }

    let mut done: BTreeSet<(NaiveDate, String)> = BTreeSet::new();
    let mut rows = Vec::with_capacity(count);
    let mut attempts = 0;
    while rows.len() < count && attempts < count.saturating_mul(100) {
        attempts += 1;
        let day = date_between(&mut rng, HISTORY_START, HISTORY_END);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let r = below(&mut rng, total);
        let firm = &enterprises[cumulative.partition_point(|&c| c <= r)];
        if firm.registered_on >= day || done.contains(&(day, firm.uscc.clone())) {
            continue;
        }
        let county = county_of_area(&firm.supervising_area).map(|c| c.name);
        let eligible: Vec<&DemoInspector> = market
            .iter()
            .copied()
            .filter(|i| {
                i.area != firm.supervising_area
                    && i.cert_expires >= day
                    && !conflict_pairs.contains(&(i.inspector_id.as_str(), firm.uscc.as_str()))
            })
            .collect();
        let local: Vec<&DemoInspector> = eligible
            .iter()
            .copied()
            .filter(|i| county.is_some() && county_of_area(&i.area).map(|c| c.name) == county)
            .collect();
        let pool = if local.len() >= 2 && chance(&mut rng, 800) {
            &local
        } else {
            &eligible
        };
        if pool.len() < 2 {
            continue;
        }
        let a = index(&mut rng, pool.len());
        let mut b = index(&mut rng, pool.len() - 1);
        if b >= a {
            b += 1;
        }
        let mut ids = vec![pool[a].inspector_id.clone(), pool[b].inspector_id.clone()];
        ids.sort();
        done.insert((day, firm.uscc.clone()));
        rows.push(DemoInspection {
            uscc: firm.uscc.clone(),
            inspected_on: day,
            inspector_ids: ids,
        });
    }
    rows.sort_by(|x, y| (x.inspected_on, &x.uscc).cmp(&(y.inspected_on, &y.uscc)));
    rows
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

fn csv_writer<W: Write>(writer: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Writes `enterprises.csv` (UTF-8, no BOM, LF line ends) with
/// [`ENTERPRISES_HEADER`].
pub fn write_enterprises_csv<W: Write>(rows: &[DemoEnterprise], writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(ENTERPRISES_HEADER)?;
    for r in rows {
        write_enterprise(&mut w, r)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the first `count` rows of [`enterprise_stream`] for `seed` as
/// `enterprises.csv` (the same bytes as [`write_enterprises_csv`] of
/// [`enterprises`]), one row at a time: a directory of any size, in
/// little memory.
pub fn write_enterprises_stream<W: Write>(count: usize, seed: u64, writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(ENTERPRISES_HEADER)?;
    for r in enterprise_stream(seed).take(count) {
        write_enterprise(&mut w, &r)?;
    }
    w.flush()?;
    Ok(())
}

fn write_enterprise<W: Write>(w: &mut csv::Writer<W>, r: &DemoEnterprise) -> csv::Result<()> {
    let class = r.credit_class.to_string();
    let registered_on = date(r.registered_on);
    w.write_record([
        r.uscc.as_str(),
        &r.name,
        &class,
        &r.county,
        &r.industry,
        &r.status,
        &r.supervising_area,
        &r.address,
        &registered_on,
    ])
}

/// Writes `inspectors.csv` (UTF-8, no BOM, LF line ends) with
/// [`INSPECTORS_HEADER`]; specialties are joined with `;`.
pub fn write_inspectors_csv<W: Write>(rows: &[DemoInspector], writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(INSPECTORS_HEADER)?;
    for r in rows {
        let expires = date(r.cert_expires);
        let specialties = r.specialties.join(";");
        w.write_record([
            r.inspector_id.as_str(),
            &r.name,
            &r.department,
            &r.area,
            &r.cert_no,
            &expires,
            &specialties,
            &r.status,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `conflicts.csv` (UTF-8, no BOM, LF line ends) with
/// [`CONFLICTS_HEADER`].
pub fn write_conflicts_csv<W: Write>(rows: &[DemoConflict], writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(CONFLICTS_HEADER)?;
    for r in rows {
        w.write_record([&r.inspector_id, &r.uscc, &r.reason])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `history.csv` (UTF-8, no BOM, LF line ends) with
/// [`HISTORY_HEADER`]; inspector ids are joined with `;`.
pub fn write_history_csv<W: Write>(rows: &[DemoInspection], writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(HISTORY_HEADER)?;
    for r in rows {
        let day = date(r.inspected_on);
        let ids = r.inspector_ids.join(";");
        w.write_record([r.uscc.as_str(), &day, &ids])?;
    }
    w.flush()?;
    Ok(())
}

/// The enterprises CSV encoded as GB18030 (as many Chinese office exports
/// are), for showing encoding support.
pub fn enterprises_csv_gb18030(rows: &[DemoEnterprise]) -> csv::Result<Vec<u8>> {
    let mut utf8 = Vec::new();
    write_enterprises_csv(rows, &mut utf8)?;
    let text = String::from_utf8(utf8).expect("the csv writer copies UTF-8 strings");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable, "GB18030 encodes every Unicode character");
    Ok(bytes.into_owned())
}

// ---------------------------------------------------------------------------
// The item list (抽查事项清单)
// ---------------------------------------------------------------------------

/// Header of `items.csv` (SPEC §10.1).
pub const ITEMS_HEADER: [&str; 7] = [
    "code",
    "name",
    "department",
    "category",
    "legal_basis",
    "method",
    "specialty",
];

/// Name of the item list written by [`DemoData::write_to_dir`].
pub const ITEMS_FILE: &str = "items.csv";

/// An inspection item (抽查事项) of the item list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InspectionItem {
    /// Item code (事项编码), e.g. `SJ-GS-01`.
    pub code: &'static str,
    /// Item name (事项名称).
    pub name: &'static str,
    /// The inspectors' department that checks it, as in `inspectors.csv`.
    pub department: &'static str,
    /// `重点` (key) or `一般` (general).
    pub category: &'static str,
    /// Legal basis (检查依据).
    pub legal_basis: &'static str,
    /// Method (检查方式).
    pub method: &'static str,
    /// The specialty an inspector needs (执法领域), one that inspectors of
    /// `department` hold; empty when none is needed.
    pub specialty: &'static str,
    /// Industries of `enterprises.csv` the item applies to (not written to
    /// the CSV; empty for every industry). The benchmark plan of
    /// [`batch`] directs the item's tasks to them.
    pub industries: &'static [&'static str],
}

#[allow(clippy::too_many_arguments)]
const fn item(
    code: &'static str,
    name: &'static str,
    department: &'static str,
    category: &'static str,
    legal_basis: &'static str,
    method: &'static str,
    specialty: &'static str,
    industries: &'static [&'static str],
) -> InspectionItem {
    InspectionItem {
        code,
        name,
        department,
        category,
        legal_basis,
        method,
        specialty,
        industries,
    }
}

/// The demo item list of the five departments: `data/items.csv`. Legal
/// bases name an article only where the article is the item's own.
pub static ITEMS: [InspectionItem; 26] = [
    item(
        "SJ-GS-01",
        "企业年度报告公示信息检查",
        MARKET_REGULATION,
        "一般",
        "《企业信息公示暂行条例》第十四条",
        "书面检查、实地核查",
        "企业公示信息",
        &[],
    ),
    item(
        "SJ-DJ-01",
        "住所（经营场所）登记事项检查",
        MARKET_REGULATION,
        "一般",
        "《中华人民共和国市场主体登记管理条例》第三十八条",
        "实地核查",
        "",
        &[],
    ),
    item(
        "SJ-SP-01",
        "食品生产企业监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国食品安全法》第一百一十条",
        "实地检查、抽样检验",
        "食品安全",
        &["食品生产"],
    ),
    item(
        "SJ-SP-02",
        "食品销售者监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国食品安全法》第一百一十条",
        "实地检查、抽样检验",
        "食品安全",
        &["批发和零售业"],
    ),
    item(
        "SJ-SP-03",
        "餐饮服务提供者监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国食品安全法》第一百一十条",
        "实地检查",
        "食品安全",
        &["住宿和餐饮业"],
    ),
    item(
        "SJ-TS-01",
        "特种设备使用单位监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国特种设备安全法》第五十七条",
        "实地检查",
        "特种设备",
        &["制造业", "住宿和餐饮业", "建筑业"],
    ),
    item(
        "SJ-JL-01",
        "强制检定计量器具使用情况检查",
        MARKET_REGULATION,
        "一般",
        "《中华人民共和国计量法》第九条",
        "实地检查",
        "计量",
        &["批发和零售业", "交通运输业"],
    ),
    item(
        "SJ-JL-02",
        "定量包装商品净含量检查",
        MARKET_REGULATION,
        "一般",
        "《定量包装商品计量监督管理办法》",
        "抽样检验",
        "计量",
        &["食品生产"],
    ),
    item(
        "SJ-ZL-01",
        "生产领域产品质量监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国产品质量法》第十五条",
        "抽样检验",
        "产品质量",
        &["制造业"],
    ),
    item(
        "SJ-ZL-02",
        "工业产品生产许可证获证企业检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国工业产品生产许可证管理条例》",
        "实地检查、检验检测",
        "产品质量",
        &["制造业", "食品生产"],
    ),
    item(
        "SJ-JG-01",
        "明码标价和价格行为检查",
        MARKET_REGULATION,
        "一般",
        "《中华人民共和国价格法》第十三条",
        "实地检查",
        "价格监管",
        &["批发和零售业", "住宿和餐饮业", "居民服务业"],
    ),
    item(
        "SJ-GG-01",
        "广告发布行为检查",
        MARKET_REGULATION,
        "一般",
        "《中华人民共和国广告法》第四十九条",
        "网络监测、书面检查",
        "广告监管",
        &[],
    ),
    item(
        "SJ-YP-01",
        "药品经营企业监督检查",
        MARKET_REGULATION,
        "重点",
        "《中华人民共和国药品管理法》第九十九条",
        "实地检查",
        "药品",
        &["批发和零售业"],
    ),
    item(
        "SJ-YL-01",
        "医疗器械经营企业监督检查",
        MARKET_REGULATION,
        "重点",
        "《医疗器械监督管理条例》",
        "实地检查",
        "药品",
        &["批发和零售业"],
    ),
    item(
        "SW-FP-01",
        "发票使用情况检查",
        "税务局",
        "一般",
        "《中华人民共和国发票管理办法》",
        "书面检查、实地核查",
        "税务稽查",
        &[],
    ),
    item(
        "SW-DJ-01",
        "税务登记和纳税申报情况检查",
        "税务局",
        "一般",
        "《中华人民共和国税收征收管理法》第十五条",
        "书面检查",
        "税务稽查",
        &[],
    ),
    item(
        "SW-JC-01",
        "税收违法行为随机抽查",
        "税务局",
        "重点",
        "《中华人民共和国税收征收管理法》第五十四条",
        "书面检查、实地检查",
        "税务稽查",
        &["建筑业", "交通运输业", "批发和零售业", "租赁和商务服务业"],
    ),
    item(
        "WJ-GW-01",
        "公共场所卫生监督检查",
        "卫生健康局",
        "一般",
        "《公共场所卫生管理条例》",
        "实地检查、检验检测",
        "公共卫生",
        &["住宿和餐饮业", "居民服务业"],
    ),
    item(
        "WJ-YS-01",
        "二次供水设施卫生监督检查",
        "卫生健康局",
        "重点",
        "《生活饮用水卫生监督管理办法》",
        "实地检查、检验检测",
        "公共卫生",
        &["居民服务业"],
    ),
    item(
        "WJ-ZY-01",
        "用人单位职业病防治情况检查",
        "卫生健康局",
        "重点",
        "《中华人民共和国职业病防治法》",
        "实地检查",
        "公共卫生",
        &["制造业", "建筑业"],
    ),
    item(
        "WJ-XD-01",
        "餐饮具集中消毒服务单位卫生检查",
        "卫生健康局",
        "一般",
        "《中华人民共和国食品安全法》第五十八条",
        "实地检查、检验检测",
        "食品安全",
        &["居民服务业"],
    ),
    item(
        "YJ-AQ-01",
        "安全生产主体责任落实情况检查",
        "应急管理局",
        "重点",
        "《中华人民共和国安全生产法》第六十五条",
        "实地检查",
        "安全生产",
        &["制造业", "建筑业", "交通运输业", "食品生产"],
    ),
    item(
        "YJ-WH-01",
        "危险化学品经营单位安全检查",
        "应急管理局",
        "重点",
        "《危险化学品安全管理条例》",
        "实地检查",
        "安全生产",
        &["批发和零售业"],
    ),
    item(
        "HJ-PW-01",
        "排污许可证执行情况检查",
        "生态环境局",
        "重点",
        "《排污许可管理条例》",
        "实地检查、检验检测",
        "环境执法",
        &["制造业", "食品生产"],
    ),
    item(
        "HJ-WF-01",
        "危险废物规范化环境管理检查",
        "生态环境局",
        "重点",
        "《中华人民共和国固体废物污染环境防治法》",
        "实地检查",
        "环境执法",
        &["制造业"],
    ),
    item(
        "HJ-HP-01",
        "建设项目环境影响评价制度执行情况检查",
        "生态环境局",
        "一般",
        "《中华人民共和国环境影响评价法》",
        "书面检查、实地核查",
        "环境执法",
        &["农、林、牧、渔业", "建筑业"],
    ),
];

impl InspectionItem {
    /// Whether the item is a key item (重点检查事项).
    pub fn is_key(&self) -> bool {
        self.category == "重点"
    }
}

/// Writes `items.csv` (UTF-8, no BOM, LF line ends) with [`ITEMS_HEADER`]:
/// every item of [`ITEMS`].
pub fn write_items_csv<W: Write>(writer: W) -> csv::Result<()> {
    let mut w = csv_writer(writer);
    w.write_record(ITEMS_HEADER)?;
    for i in &ITEMS {
        w.write_record([
            i.code,
            i.name,
            i.department,
            i.category,
            i.legal_basis,
            i.method,
            i.specialty,
        ])?;
    }
    w.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Everything at once
// ---------------------------------------------------------------------------

/// Sizes and seed of a demo data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Number of enterprises.
    pub enterprises: usize,
    /// Number of inspectors.
    pub inspectors: usize,
    /// Number of recusal rows.
    pub conflicts: usize,
    /// Number of past inspections.
    pub history: usize,
    /// Seed of `ChaCha20Rng::seed_from_u64`; each table uses its own
    /// stream.
    pub seed: u64,
}

impl Default for DemoConfig {
    /// The configuration of the committed files under `data/`.
    fn default() -> Self {
        DemoConfig {
            enterprises: DEFAULT_ENTERPRISES,
            inspectors: DEFAULT_INSPECTORS,
            conflicts: DEFAULT_CONFLICTS,
            history: DEFAULT_HISTORY,
            seed: DEFAULT_SEED,
        }
    }
}

/// A complete demo data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoData {
    /// `enterprises.csv`.
    pub enterprises: Vec<DemoEnterprise>,
    /// `inspectors.csv`.
    pub inspectors: Vec<DemoInspector>,
    /// `conflicts.csv`.
    pub conflicts: Vec<DemoConflict>,
    /// `history.csv`.
    pub history: Vec<DemoInspection>,
}

/// Generates all four tables for `config`.
pub fn generate(config: &DemoConfig) -> DemoData {
    let enterprises = enterprises(config.enterprises, config.seed);
    let inspectors = inspectors(config.inspectors, config.seed);
    let conflicts = conflicts(&enterprises, &inspectors, config.conflicts, config.seed);
    let history = history(&enterprises, &inspectors, &conflicts, config.history, config.seed);
    DemoData {
        enterprises,
        inspectors,
        conflicts,
        history,
    }
}

/// Name of the GB18030 sample written by [`DemoData::write_to_dir`].
pub const GB18030_SAMPLE_FILE: &str = "enterprises-gb18030-sample.csv";

impl DemoData {
    /// Writes `enterprises.csv`, `inspectors.csv`, `conflicts.csv`,
    /// `history.csv`, [`ITEMS_FILE`] (the item list [`ITEMS`], the same for
    /// every configuration) and [`GB18030_SAMPLE_FILE`] (the first
    /// [`GB18030_SAMPLE_ROWS`] enterprises) into `dir`, creating it if
    /// needed. Returns the paths written.
    pub fn write_to_dir(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        self.write_to_dir_with_directory(dir, None)
    }

    /// As [`DemoData::write_to_dir`], but with `Some((n, seed))` the
    /// directory `enterprises.csv` is the first `n` rows of
    /// [`enterprise_stream`] for `seed`, written as they are made (a
    /// province's directory in little memory), whatever
    /// `self.enterprises` holds. With the same seed, the other tables
    /// name firms of its first rows.
    pub fn write_to_dir_with_directory(&self, dir: &Path, directory: Option<(usize, u64)>) -> io::Result<Vec<PathBuf>> {
        fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let mut open = |name: &str| -> io::Result<BufWriter<fs::File>> {
            let path = dir.join(name);
            let file = fs::File::create(&path)?;
            written.push(path);
            Ok(BufWriter::new(file))
        };
        match directory {
            Some((rows, seed)) => write_enterprises_stream(rows, seed, open("enterprises.csv")?)?,
            None => write_enterprises_csv(&self.enterprises, open("enterprises.csv")?)?,
        }
        write_inspectors_csv(&self.inspectors, open("inspectors.csv")?)?;
        write_conflicts_csv(&self.conflicts, open("conflicts.csv")?)?;
        write_history_csv(&self.history, open("history.csv")?)?;
        write_items_csv(open(ITEMS_FILE)?)?;
        let sample = &self.enterprises[..self.enterprises.len().min(GB18030_SAMPLE_ROWS)];
        let mut gb = open(GB18030_SAMPLE_FILE)?;
        gb.write_all(&enterprises_csv_gb18030(sample)?)?;
        gb.flush()?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn small() -> DemoConfig {
        DemoConfig {
            enterprises: 3_000,
            inspectors: 700,
            conflicts: 30,
            history: 300,
            seed: 7,
        }
    }

    fn csv_bytes(data: &DemoData) -> [Vec<u8>; 4] {
        let mut out = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        write_enterprises_csv(&data.enterprises, &mut out[0]).unwrap();
        write_inspectors_csv(&data.inspectors, &mut out[1]).unwrap();
        write_conflicts_csv(&data.conflicts, &mut out[2]).unwrap();
        write_history_csv(&data.history, &mut out[3]).unwrap();
        out
    }

    #[test]
    fn codes_are_valid_unique_and_placed() {
        let rows = enterprises(20_000, DEFAULT_SEED);
        assert_eq!(rows.len(), 20_000);
        let mut seen = HashSet::new();
        for e in &rows {
            uscc::validate(&e.uscc).unwrap_or_else(|err| panic!("{}: {err}", e.uscc));
            assert!(seen.insert(e.uscc.clone()), "duplicate {}", e.uscc);
            let county = COUNTIES.iter().find(|c| c.name == e.county).unwrap();
            assert_eq!(&e.uscc[2..8], county.code);
            assert!(["91", "92", "93"].contains(&&e.uscc[..2]));
            assert_eq!(county_of_area(&e.supervising_area), Some(county));
            assert!(e.address.starts_with(&format!("贵州省黔东南州{}", e.county)));
            assert!(e.registered_on <= HISTORY_END);
            if e.uscc.starts_with("93") {
                assert!(e.name.ends_with("专业合作社"));
                assert_eq!(e.industry, AGRICULTURE);
            }
        }
        let names: HashSet<&str> = rows.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), rows.len(), "names are unique");
    }

    #[test]
    fn same_seed_gives_identical_bytes() {
        let a = csv_bytes(&generate(&small()));
        let b = csv_bytes(&generate(&small()));
        assert_eq!(a, b);
        let other = csv_bytes(&generate(&DemoConfig { seed: 8, ..small() }));
        for (x, y) in a.iter().zip(&other) {
            assert_ne!(x, y);
        }
    }

    #[test]
    fn enterprises_are_prefix_stable() {
        let long = enterprises(1_000, DEFAULT_SEED);
        let short = enterprises(200, DEFAULT_SEED);
        assert_eq!(short[..], long[..200]);
    }

    #[test]
    fn class_county_kind_and_status_mix() {
        let rows = enterprises(20_000, DEFAULT_SEED);
        let n = rows.len() as f64;
        let share = |f: &dyn Fn(&DemoEnterprise) -> bool| rows.iter().filter(|e| f(e)).count() as f64 / n;
        let a = share(&|e| e.credit_class == 'A');
        let b = share(&|e| e.credit_class == 'B');
        let c = share(&|e| e.credit_class == 'C');
        let d = share(&|e| e.credit_class == 'D');
        assert!((0.17..0.23).contains(&a), "A {a}");
        assert!((0.61..0.69).contains(&b), "B {b}");
        assert!((0.095..0.145).contains(&c), "C {c}");
        assert!((0.02..0.04).contains(&d), "D {d}");
        let kaili = share(&|e| e.county == "凯里市");
        assert!((0.28..0.39).contains(&kaili), "Kaili {kaili}");
        let companies = share(&|e| e.uscc.starts_with("91"));
        assert!((0.87..0.93).contains(&companies), "91 {companies}");
        let inactive = share(&|e| !e.is_active());
        assert!((0.008..0.025).contains(&inactive), "inactive {inactive}");
        let operating = share(&|e| e.status == "在业" || e.status == "开业");
        assert!((0.005..0.016).contains(&operating), "在业/开业 {operating}");
    }

    #[test]
    fn inspectors_are_shaped_as_asked() {
        let rows = inspectors(700, DEFAULT_SEED);
        assert_eq!(rows.len(), 700);
        let mut per_dept: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &rows {
            *per_dept.entry(i.department.as_str()).or_default() += 1;
        }
        assert_eq!(per_dept[MARKET_REGULATION], 450);
        assert_eq!(per_dept["税务局"], 90);
        let ids: HashSet<&str> = rows.iter().map(|i| i.inspector_id.as_str()).collect();
        assert_eq!(ids.len(), 700);
        let certs: HashSet<&str> = rows.iter().map(|i| i.cert_no.as_str()).collect();
        assert_eq!(certs.len(), 700);
        assert!(rows.iter().any(|i| i.inspector_id == "QDN-SJ-0001"));

        let stations = station_names();
        let mut per_station: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &rows {
            assert!(stations.contains(&i.area.as_str()), "{}", i.area);
            if i.department == MARKET_REGULATION {
                *per_station.entry(i.area.as_str()).or_default() += 1;
            }
        }
        assert_eq!(per_station.len(), stations.len());
        assert!(per_station.values().all(|&n| n >= 2));

        let market: Vec<&DemoInspector> = rows.iter().filter(|i| i.department == MARKET_REGULATION).collect();
        let public = market
            .iter()
            .filter(|i| i.specialties.iter().any(|s| s == "企业公示信息"))
            .count() as f64
            / market.len() as f64;
        assert!((0.94..0.995).contains(&public), "企业公示信息 {public}");

        let n = rows.len() as f64;
        let inside = rows
            .iter()
            .filter(|i| (WINDOW_START..=WINDOW_END).contains(&i.cert_expires))
            .count() as f64
            / n;
        let before = rows.iter().filter(|i| i.cert_expires < WINDOW_START).count();
        assert!((0.03..0.075).contains(&inside), "inside {inside}");
        assert!((1..=25).contains(&before), "before {before}");
        let on_duty = rows.iter().filter(|i| i.status == "在岗").count() as f64 / n;
        assert!((0.93..0.99).contains(&on_duty), "在岗 {on_duty}");
        for i in &rows {
            for s in &i.specialties {
                assert!(SPECIALTIES.contains(&s.as_str()));
            }
        }
    }

    #[test]
    fn department_sizes_add_up() {
        for count in [0, 1, 5, 100, 700, 701, 1_234] {
            assert_eq!(department_sizes(count).iter().sum::<usize>(), count);
        }
        assert_eq!(department_sizes(700), [450, 90, 60, 50, 50]);
    }

    #[test]
    fn conflicts_and_history_refer_to_real_rows() {
        let data = generate(&small());
        let firms: BTreeMap<&str, &DemoEnterprise> = data.enterprises.iter().map(|e| (e.uscc.as_str(), e)).collect();
        let people: BTreeMap<&str, &DemoInspector> =
            data.inspectors.iter().map(|i| (i.inspector_id.as_str(), i)).collect();
        assert_eq!(data.conflicts.len(), 30);
        let mut pairs = BTreeSet::new();
        for c in &data.conflicts {
            assert!(firms[c.uscc.as_str()].is_active());
            assert!(people.contains_key(c.inspector_id.as_str()));
            assert!(pairs.insert((c.inspector_id.as_str(), c.uscc.as_str())));
        }

        assert_eq!(data.history.len(), 300);
        let mut previous = None;
        for h in &data.history {
            let firm = firms[h.uscc.as_str()];
            assert!((HISTORY_START..=HISTORY_END).contains(&h.inspected_on));
            assert!(!matches!(h.inspected_on.weekday(), Weekday::Sat | Weekday::Sun));
            assert!(firm.registered_on < h.inspected_on);
            assert_eq!(h.inspector_ids.len(), 2);
            assert_ne!(h.inspector_ids[0], h.inspector_ids[1]);
            for id in &h.inspector_ids {
                let p = people[id.as_str()];
                assert_eq!(p.department, MARKET_REGULATION);
                assert_ne!(p.area, firm.supervising_area);
                assert!(p.cert_expires >= h.inspected_on);
                assert!(!pairs.contains(&(id.as_str(), h.uscc.as_str())));
            }
            let key = (h.inspected_on, h.uscc.as_str());
            assert!(previous.is_none_or(|p| p < key), "sorted and unique");
            previous = Some(key);
        }
    }

    #[test]
    fn csv_is_utf8_lf_without_bom() {
        let data = generate(&DemoConfig {
            enterprises: 50,
            inspectors: 20,
            conflicts: 3,
            history: 5,
            seed: 1,
        });
        let [e, i, c, h] = csv_bytes(&data);
        let text = String::from_utf8(e).unwrap();
        assert!(
            text.starts_with("uscc,name,credit_class,county,industry,status,supervising_area,address,registered_on\n")
        );
        assert!(!text.contains('\r'));
        assert_eq!(text.lines().count(), 51);
        assert!(
            String::from_utf8(i)
                .unwrap()
                .starts_with("inspector_id,name,department,area,cert_no,cert_expires,specialties,status\n")
        );
        assert!(String::from_utf8(c).unwrap().starts_with("inspector_id,uscc,reason\n"));
        assert!(
            String::from_utf8(h)
                .unwrap()
                .starts_with("uscc,inspected_on,inspector_ids\n")
        );
    }

    #[test]
    fn gb18030_sample_round_trips() {
        let rows = enterprises(GB18030_SAMPLE_ROWS, DEFAULT_SEED);
        let gb = enterprises_csv_gb18030(&rows).unwrap();
        let mut utf8 = Vec::new();
        write_enterprises_csv(&rows, &mut utf8).unwrap();
        assert_ne!(gb, utf8);
        let (decoded, _, errors) = encoding_rs::GB18030.decode(&gb);
        assert!(!errors);
        assert_eq!(decoded.as_bytes(), &utf8[..]);
    }

    #[test]
    fn permutation_is_a_bijection() {
        let mut rng = rng_for(1, 99);
        let p = Permutation::new(&mut rng, 1_000);
        let image: BTreeSet<u64> = (0..1_000).map(|x| p.apply(x)).collect();
        assert_eq!(image.len(), 1_000);
        assert!(image.iter().all(|&y| y < 1_000));
    }

    #[test]
    fn items_name_departments_and_specialties_of_the_directory() {
        let people = inspectors(DEFAULT_INSPECTORS, DEFAULT_SEED);
        let mut codes = BTreeSet::new();
        for i in &ITEMS {
            assert!(codes.insert(i.code), "duplicate {}", i.code);
            assert!(["重点", "一般"].contains(&i.category), "{}", i.code);
            assert!(DEPARTMENTS.iter().any(|d| d.0 == i.department), "{}", i.code);
            assert!(!i.name.is_empty() && !i.legal_basis.is_empty() && !i.method.is_empty());
            if !i.specialty.is_empty() {
                let holders = people
                    .iter()
                    .filter(|p| p.department == i.department && p.specialties.iter().any(|s| s == i.specialty))
                    .count();
                assert!(holders >= 10, "{}: {holders} holders of {}", i.code, i.specialty);
            }
            for industry in i.industries {
                assert!(COMPANY_INDUSTRIES.iter().any(|c| c.0 == *industry), "{industry}");
            }
        }
        for d in DEPARTMENTS {
            assert!(ITEMS.iter().any(|i| i.department == d.0), "no item of {}", d.0);
        }
    }

    #[test]
    fn committed_item_list_matches_generator() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(ITEMS_FILE);
        let committed = fs::read(&path).expect("data/items.csv is committed");
        let mut fresh = Vec::new();
        write_items_csv(&mut fresh).unwrap();
        assert_eq!(committed, fresh);
        assert!(
            String::from_utf8(fresh)
                .unwrap()
                .starts_with("code,name,department,category,")
        );
    }

    /// Checks a batch plan against SPEC §10.2 as far as the item list
    /// goes: known items, a slot for each item's department, windows in
    /// the batch's period. Returns its tasks.
    fn check_batch_plan(text: &str) -> Vec<toml::Value> {
        let plan: toml::Table = toml::from_str(text).expect("the plan is TOML");
        let batch = plan["batch"].as_table().unwrap();
        let (from, to) = (batch["start"].to_string(), batch["end"].to_string());
        let tasks = plan["task"].as_array().unwrap().clone();
        let mut ids = BTreeSet::new();
        for t in &tasks {
            let id = t["id"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "duplicate {id}");
            let (start, end) = (t["start"].to_string(), t["end"].to_string());
            assert!(from <= start && start <= end && end <= to, "{id}");
            let team = t["team"].as_table().unwrap();
            assert!(team.values().map(|n| n.as_integer().unwrap()).sum::<i64>() >= 2, "{id}");
            for code in t["items"].as_array().unwrap() {
                let item = ITEMS.iter().find(|i| i.code == code.as_str().unwrap());
                let item = item.unwrap_or_else(|| panic!("{id}: unknown item {code}"));
                assert!(
                    team.contains_key(item.department),
                    "{id}: no slot of {}",
                    item.department
                );
            }
        }
        tasks
    }

    #[test]
    fn the_committed_joint_plan_names_items_of_the_list() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plans/joint-2025.toml");
        let tasks = check_batch_plan(&fs::read_to_string(path).expect("plans/joint-2025.toml"));
        assert!(tasks.len() >= 40);
    }

    #[test]
    fn batch_plans_are_deterministic_and_well_formed() {
        let plan = batch::batch_plan(400, DEFAULT_SEED);
        assert_eq!(plan, batch::batch_plan(400, DEFAULT_SEED));
        assert_ne!(plan, batch::batch_plan(400, DEFAULT_SEED + 1));
        let tasks = check_batch_plan(&plan);
        assert_eq!(tasks.len(), 400);
        let mut joint = 0;
        for t in &tasks {
            let targets = t["targets"].as_table().unwrap();
            assert_eq!(targets["counties"].as_array().unwrap().len(), 1);
            let items: Vec<&InspectionItem> = t["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| ITEMS.iter().find(|i| i.code == c.as_str().unwrap()).unwrap())
                .collect();
            joint += usize::from(items.len() > 1);
            let rare: Vec<&&InspectionItem> = items
                .iter()
                .filter(|i| i.department == MARKET_REGULATION && !["", "企业公示信息"].contains(&i.specialty))
                .collect();
            assert!(rare.len() <= 1, "{}", t["id"]);
        }
        assert!((60..180).contains(&joint), "{joint} joint tasks");
    }

    #[test]
    fn committed_sample_matches_generator() {
        // data/ holds the output of the default configuration; since
        // enterprises() is prefix-stable, its first rows can be checked
        // cheaply. Regenerate with `cargo run --release -p spotcheck-demo`
        // after changing the generator.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/enterprises.csv");
        let committed = fs::read_to_string(&path).expect("data/enterprises.csv is committed");
        let head: String = committed.split_inclusive('\n').take(GB18030_SAMPLE_ROWS + 1).collect();
        let mut fresh = Vec::new();
        write_enterprises_csv(&enterprises(GB18030_SAMPLE_ROWS, DEFAULT_SEED), &mut fresh).unwrap();
        assert_eq!(head.as_bytes(), &fresh[..]);
        assert_eq!(committed.lines().count(), DEFAULT_ENTERPRISES + 1);
    }
}
