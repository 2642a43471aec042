"""Name stock for the demo: invented combinations of common Central Asian names, in Cyrillic and Latin."""

# (Cyrillic, Latin) pairs. The Latin spellings vary on purpose (y/i, zh/j) as real documents do.
FEMALE_GIVEN = [
    ("Айгуль", "Aigul"), ("Гульнара", "Gulnara"), ("Динара", "Dinara"), ("Жанар", "Zhanar"), ("Салтанат", "Saltanat"),
    ("Асель", "Assel"), ("Мадина", "Madina"), ("Назира", "Nazira"), ("Алия", "Aliya"), ("Бота", "Bota"),
    ("Гаухар", "Gaukhar"), ("Индира", "Indira"), ("Камила", "Kamila"), ("Лаура", "Laura"), ("Меруерт", "Meruert"),
    ("Нургуль", "Nurgul"), ("Раушан", "Raushan"), ("Сабина", "Sabina"), ("Томирис", "Tomiris"), ("Улжан", "Ulzhan"),
    ("Фатима", "Fatima"), ("Хадиша", "Khadisha"), ("Эльмира", "Elmira"), ("Юлия", "Yulia"), ("Ясмин", "Yasmin"),
    ("Зарина", "Zarina"), ("Карлыгаш", "Karlygash"), ("Гульмира", "Gulmira"), ("Асем", "Assem"), ("Дана", "Dana"),
]
MALE_GIVEN = [
    ("Нурлан", "Nurlan"), ("Ерлан", "Yerlan"), ("Асхат", "Askhat"), ("Бауыржан", "Bauyrzhan"), ("Данияр", "Daniyar"),
    ("Ерболат", "Yerbolat"), ("Жандос", "Zhandos"), ("Ильяс", "Ilyas"), ("Канат", "Kanat"), ("Марат", "Marat"),
    ("Нуржан", "Nurzhan"), ("Олжас", "Olzhas"), ("Руслан", "Ruslan"), ("Серик", "Serik"), ("Тимур", "Timur"),
    ("Ержан", "Yerzhan"), ("Азамат", "Azamat"), ("Бекзат", "Bekzat"), ("Даулет", "Daulet"), ("Арман", "Arman"),
]
CHILD_FEMALE = [
    ("Айша", "Aisha"), ("Амина", "Amina"), ("Марьям", "Maryam"), ("Сумайя", "Sumayya"), ("Асия", "Asiya"),
    ("Хафса", "Khafsa"), ("Зайнаб", "Zaynab"), ("Сафия", "Safiya"), ("Аминат", "Aminat"), ("Хадижа", "Khadija"),
    ("Айым", "Aiym"), ("Медина", "Medina"), ("Аружан", "Aruzhan"), ("Малика", "Malika"), ("Жасмин", "Zhasmin"),
]
CHILD_MALE = [
    ("Мухаммад", "Muhammad"), ("Умар", "Umar"), ("Юсуф", "Yusuf"), ("Ибрагим", "Ibrahim"), ("Абдулла", "Abdulla"),
    ("Али", "Ali"), ("Хамза", "Khamza"), ("Билал", "Bilal"), ("Исмаил", "Ismail"), ("Салих", "Salikh"),
    ("Алихан", "Alikhan"), ("Нурислам", "Nurislam"), ("Айдар", "Aidar"), ("Санжар", "Sanzhar"), ("Алинур", "Alinur"),
]
FAMILY = [
    ("Ахметов", "Akhmetov"), ("Бекенов", "Bekenov"), ("Джумабаев", "Dzhumabaev"), ("Ермеков", "Yermekov"),
    ("Жаксылыков", "Zhaksylykov"), ("Исмаилов", "Ismailov"), ("Кенжебаев", "Kenzhebaev"), ("Лесбеков", "Lesbekov"),
    ("Мусин", "Musin"), ("Нурланов", "Nurlanov"), ("Оспанов", "Ospanov"), ("Сейтказиев", "Seitkaziev"),
    ("Тлеубаев", "Tleubaev"), ("Утегенов", "Utegenov"), ("Файзуллин", "Faizullin"), ("Хасенов", "Khassenov"),
    ("Шарипов", "Sharipov"), ("Ыскаков", "Yskakov"), ("Есенов", "Yessenov"), ("Абенов", "Abenov"),
    ("Байжанов", "Baizhanov"), ("Габдуллин", "Gabdullin"), ("Дауренов", "Daurenov"), ("Жумагалиев", "Zhumagaliev"),
    ("Калиев", "Kaliev"), ("Мамыров", "Mamyrov"), ("Нуркенов", "Nurkenov"), ("Садыков", "Sadykov"),
    ("Тулегенов", "Tulegenov"), ("Умаров", "Umarov"),
]
# Kunyas and noms de guerre recorded as aliases in Arabic script.
ARABIC_ALIASES_FEMALE = ["أم محمد", "أم عمر", "أم يوسف", "أم عبد الله", "أم إبراهيم", "أم علي", "أم حمزة"]
ARABIC_ALIASES_MALE = ["أبو محمد الكازاخي", "أبو عمر", "أبو يوسف", "أبو عبد الله", "أبو إبراهيم"]


def feminine(surname: str) -> str:
    """Russian-style feminine form of a surname (Ахметов -> Ахметова, Akhmetov -> Akhmetova)."""
    if surname.endswith(("ов", "ев", "ин", "ov", "ev", "in")):
        return surname + "а" if surname[-1] in "вн" and not surname.isascii() else surname + "a"
    return surname
