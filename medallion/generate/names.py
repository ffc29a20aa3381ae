"""Name pools for synthetic customers (invented lists, not taken from any real customer file)."""

from __future__ import annotations

# fmt: off
MALE_FIRST: tuple[str, ...] = (
    "Aaron", "Adam", "Adrian", "Alan", "Alejandro", "Alexander", "Andre", "Andrew", "Antonio",
    "Arturo", "Ben", "Blake", "Brandon", "Brian", "Bruno", "Carl", "Carlos", "Charles", "Chris",
    "Colin", "Daniel", "David", "Diego", "Dominic", "Dylan", "Edward", "Eric", "Ethan", "Felix",
    "Francisco", "Gabriel", "George", "Hao", "Henry", "Hugo", "Ian", "Isaac", "Ivan", "Jack",
    "Jacob", "James", "Javier", "Jesse", "John", "Jon", "Jordan", "Jose", "Julian", "Kevin",
    "Lars", "Leon", "Liam", "Lucas", "Luis", "Marc", "Marcus", "Mario", "Martin", "Mateo",
    "Michael", "Miguel", "Nathan", "Nicholas", "Noah", "Oliver", "Omar", "Pablo", "Patrick",
    "Paul", "Pedro", "Peter", "Rafael", "Raj", "Ricardo", "Robert", "Ruben", "Ryan", "Samuel",
    "Sebastian", "Sergio", "Shawn", "Stefan", "Steven", "Thomas", "Tim", "Tomas", "Victor",
    "Wei", "William", "Xavier", "Yusuf", "Zachary",
)

FEMALE_FIRST: tuple[str, ...] = (
    "Abigail", "Adriana", "Alexandra", "Alicia", "Alyssa", "Amanda", "Amber", "Ana", "Andrea",
    "Angela", "Anna", "Ashley", "Audrey", "Beatriz", "Bianca", "Brianna", "Carmen", "Caroline",
    "Catherine", "Chloe", "Christy", "Claire", "Clara", "Cristina", "Daniela", "Diana", "Elena",
    "Elizabeth", "Ella", "Emily", "Emma", "Erin", "Eva", "Fatima", "Fernanda", "Grace", "Hannah",
    "Ines", "Isabel", "Isabella", "Jasmine", "Jennifer", "Jessica", "Julia", "Karen", "Katherine",
    "Kayla", "Laura", "Lauren", "Leah", "Lena", "Lily", "Linda", "Lucia", "Lucy", "Madison",
    "Maria", "Marie", "Megan", "Mei", "Mia", "Michelle", "Monica", "Nadia", "Natalie", "Nicole",
    "Nina", "Olivia", "Paige", "Patricia", "Paula", "Priya", "Rachel", "Rebecca", "Rosa", "Ruth",
    "Sandra", "Sara", "Sarah", "Sofia", "Sophie", "Stephanie", "Susan", "Sydney", "Tamara",
    "Teresa", "Valentina", "Vanessa", "Victoria", "Xin", "Yolanda", "Zoe",
)

LAST: tuple[str, ...] = (
    "Adams", "Alexander", "Allen", "Alonso", "Alvarez", "Anand", "Anderson", "Bailey", "Baker",
    "Becker", "Bell", "Bennett", "Blanco", "Brooks", "Brown", "Bryant", "Butler", "Campbell",
    "Carter", "Castro", "Chander", "Chen", "Clark", "Coleman", "Collins", "Cook", "Cooper", "Cox",
    "Davis", "Diaz", "Dubois", "Edwards", "Evans", "Fernandez", "Fischer", "Flores", "Foster",
    "Garcia", "Gomez", "Gonzalez", "Gray", "Green", "Griffin", "Gupta", "Hall", "Harris",
    "Hayes", "Henderson", "Hernandez", "Hill", "Hoffmann", "Huang", "Hughes", "Jackson", "Jai",
    "James", "Jenkins", "Jimenez", "Johnson", "Jones", "Kelly", "Kim", "King", "Kumar", "Lal",
    "Laurent", "Lee", "Lewis", "Li", "Lin", "Liu", "Long", "Lopez", "Lu", "Ma", "Martin",
    "Martinez", "Meyer", "Miller", "Mitchell", "Moore", "Moreno", "Morgan", "Morris", "Munoz",
    "Murphy", "Navarro", "Nelson", "Ortiz", "Parker", "Patel", "Perez", "Perry", "Peterson",
    "Phillips", "Powell", "Price", "Ramirez", "Ramos", "Reed", "Richardson", "Rivera", "Roberts",
    "Robinson", "Rodriguez", "Rogers", "Romero", "Ross", "Ruiz", "Russell", "Sanchez", "Sanders",
    "Schmidt", "Schneider", "Scott", "Serrano", "Shan", "Sharma", "Simmons", "Smith", "Srini",
    "Stewart", "Suarez", "Subram", "Sun", "Taylor", "Thomas", "Thompson", "Torres", "Turner",
    "Vance", "Walker", "Wang", "Ward", "Watson", "Weber", "White", "Williams", "Wilson", "Wood",
    "Wright", "Wu", "Xu", "Yang", "Ye", "Young", "Zeng", "Zhang", "Zhao", "Zhou", "Zhu",
)

# Awkward real-world spellings: an apostrophe, a comma (the CSV writer must quote it), an accent.
ODD_LAST: tuple[str, ...] = ("O'Brien", "Smith, Jr.", "Müller", "García-López", "D'Souza")

JUNK_KEYS: tuple[str, ...] = ("SF566", "PO25", "13451235", "A01Ass", "TEST", "XX-01", "0")
# fmt: on
