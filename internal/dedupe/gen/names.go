package gen

// firstNames are the canonical first names people get; the views may use a nickname instead.
var firstNames = []string{
	"Robert", "William", "Elizabeth", "Katherine", "Michael", "James", "John", "Jennifer",
	"Richard", "Thomas", "Christopher", "Daniel", "Matthew", "Anthony", "Margaret", "Patricia",
	"Steven", "Andrew", "Joshua", "Kenneth", "Timothy", "Jessica", "Rebecca", "Samantha",
	"Nicholas", "Benjamin", "Alexander", "Jonathan", "Gregory", "Samuel", "Theodore", "Victoria",
	"Abigail", "Deborah", "Susan", "Pamela", "Christine", "Edward", "Joseph", "Zachary",
	"Emma", "Olivia", "Ava", "Sophia", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn", "Aria",
	"Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mason", "Logan", "Ethan", "Aiden", "Jackson",
	"Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Ahmed", "Leila",
	"José", "María", "Zoë", "François", "Søren", "Björn", "Łukasz", "Ángel", "Chloé", "Renée",
	"Ingrid", "Sven", "Lars", "Anja", "Klaus", "Heike", "Pieter", "Annelies", "Giulia", "Marco",
	"Diego", "Lucía", "Camila", "Mateo", "Valentina", "Siobhan", "Declan", "Niamh", "Rhys", "Cerys",
	"Grace", "Hannah", "Lily", "Nora", "Ruby", "Stella", "Hazel", "Violet", "Aurora", "Naomi",
	"Caleb", "Isaac", "Owen", "Wyatt", "Hunter", "Connor", "Dylan", "Gavin", "Tristan", "Miles",
	"Anna", "Marta", "Karen", "Laura", "Sarah", "Megan", "Rachel", "Amanda", "Heather", "Nicole",
}

// similarFirst pairs names that look alike but are different people's (Anna / Anne).
var similarFirst = map[string]string{
	"Anna": "Anne", "Marta": "Martha", "Karen": "Karin", "Laura": "Lara", "Sarah": "Sara",
	"Megan": "Morgan", "Rachel": "Raquel", "Amanda": "Miranda", "Nicole": "Nicola",
	"Daniel": "Danielle", "Mason": "Jason", "Logan": "Morgan", "Grace": "Gracie",
	"Ethan": "Nathan", "Aiden": "Adrian", "Owen": "Rowan", "Miles": "Myles", "Dylan": "Delia",
}

// nicknamesOf are nicknames a provider may show instead of the canonical first name.
var nicknamesOf = map[string][]string{
	"Robert": {"Bob", "Rob", "Bobby"}, "William": {"Bill", "Will", "Billy"},
	"Elizabeth": {"Liz", "Beth", "Betty"}, "Katherine": {"Kate", "Katie", "Kathy"},
	"Michael": {"Mike"}, "James": {"Jim", "Jimmy"}, "John": {"Jack", "Johnny"},
	"Jennifer": {"Jen", "Jenny"}, "Richard": {"Rick", "Rich", "Dick"}, "Thomas": {"Tom", "Tommy"},
	"Christopher": {"Chris"}, "Daniel": {"Dan", "Danny"}, "Matthew": {"Matt"},
	"Anthony": {"Tony"}, "Margaret": {"Maggie", "Peggy", "Meg"}, "Patricia": {"Pat", "Trish"},
	"Steven": {"Steve"}, "Andrew": {"Andy", "Drew"}, "Joshua": {"Josh"}, "Kenneth": {"Ken"},
	"Timothy": {"Tim"}, "Jessica": {"Jess"}, "Rebecca": {"Becky", "Becca"},
	"Samantha": {"Sam"}, "Nicholas": {"Nick"}, "Benjamin": {"Ben"}, "Alexander": {"Alex"},
	"Jonathan": {"Jon"}, "Gregory": {"Greg"}, "Samuel": {"Sam"}, "Theodore": {"Ted", "Theo"},
	"Victoria": {"Vicky", "Tori"}, "Abigail": {"Abby"}, "Deborah": {"Debbie", "Deb"},
	"Susan": {"Sue"}, "Pamela": {"Pam"}, "Christine": {"Chris", "Tina"}, "Edward": {"Ed", "Ted"},
	"Joseph": {"Joe"}, "Zachary": {"Zach"},
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
	"Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
	"Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
	"Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
	"Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner",
	"Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales",
	"Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
	"Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks",
	"Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
	"Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
	"Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
	"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander",
	"Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes",
	"Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray",
	"Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods",
	"Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker",
	"Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez",
	"Silva", "Shaw", "Snyder", "Mason", "Dixon", "Muñoz", "Hunt", "Hicks", "Holmes", "Palmer",
	"Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills",
	"Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto",
	"Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins",
	"Arnold", "Pierce", "Vazquez", "Hansen", "Peters", "Santos", "Hart", "Bradley", "Knight",
	"Elliott", "Cunningham", "Duncan", "Armstrong", "Hudson", "Carroll", "Lane", "Riley",
	"Andrews", "Alvarado", "Ray", "Delgado", "Berry", "Perkins", "Hoffman", "Johnston",
	"Matthews", "Peña", "Richards", "Contreras", "Willis", "Carpenter", "Lawrence", "Sandoval",
	"Müller", "Schneider", "Fischer", "Weber", "Becker", "Schäfer", "Koch", "Richter", "Wolf",
	"Ødegård", "Johansson", "Lindqvist", "Nieminen", "Kowalski", "Nowak", "Wiśniewski", "Dvořák",
	"O'Brien", "O'Connor", "O'Neill", "MacLeod", "Fitzgerald", "Van der Berg", "De Vries",
	"Dubois", "Lefèvre", "Moreau", "Rossi", "Russo", "Bianchi", "Esposito", "Tanaka", "Suzuki",
	"Watanabe", "Yamamoto", "Wang", "Zhang", "Liu", "Singh", "Kumar", "Sharma", "Okafor", "Adeyemi",
}

// companyWords build fictional company names: a first word, a second word, sometimes a third.
var companyFirst = []string{
	"Bright", "North", "Blue", "Silver", "Iron", "Cedar", "Granite", "Harbor", "Summit", "Maple",
	"Pine", "River", "Stone", "Oak", "Falcon", "Eagle", "Beacon", "Pioneer", "Vertex", "Apex",
	"Crescent", "Meridian", "Atlas", "Orion", "Nova", "Quantum", "Lumen", "Sterling", "Copper",
	"Golden", "Redwood", "Willow", "Aspen", "Coastal", "Prairie", "Lakeside", "Hillcrest",
	"Evergreen", "Keystone", "Liberty", "Heritage", "Frontier", "Canyon", "Cobalt", "Emerald",
}

var companySecond = []string{
	"Kettle", "Forge", "Logic", "Works", "Labs", "Systems", "Partners", "Dental", "Legal",
	"Health", "Capital", "Logistics", "Foods", "Motors", "Analytics", "Software", "Networks",
	"Builders", "Consulting", "Accounting", "Clinic", "Insurance", "Manufacturing", "Supply",
	"Retail", "Realty", "Media", "Design", "Engineering", "Solutions", "Freight", "Energy",
	"Pharma", "Bank", "Advisors", "Studio", "Outfitters", "Brewing", "Textiles", "Robotics",
}

var companyThird = []string{
	"Group", "Holdings", "International", "Associates", "& Sons", "Technologies", "Services",
}

// titles lists job titles, each with the wordings providers use for it.
var titles = [][]string{
	{"VP Sales", "Vice President, Sales", "Vice President of Sales", "VP, Sales"},
	{"CTO", "Chief Technology Officer"},
	{"CEO", "Chief Executive Officer"},
	{"CFO", "Chief Financial Officer"},
	{"IT Manager", "Manager, IT", "IT Mgr"},
	{"IT Director", "Director of IT", "Director, IT"},
	{"Senior Software Engineer", "Sr. Software Engineer", "Software Engineer, Senior"},
	{"Director of Operations", "Operations Director", "Dir. Operations"},
	{"Office Manager", "Office Mgr"},
	{"HR Manager", "Human Resources Manager", "Manager, HR"},
	{"Owner", "Owner"},
	{"Controller", "Financial Controller"},
	{"Systems Administrator", "Sysadmin", "Systems Admin"},
	{"Marketing Director", "Director of Marketing", "Director, Marketing"},
	{"Practice Manager", "Practice Mgr"},
	{"Managing Partner", "Managing Partner"},
}
