package normalize

// nicknameGroups is the English nickname table used for matching, one group a line:
// "canonical: nicknames…". A nickname may appear in several groups ("al": Albert, Alfred,
// Alan); its first group gives CanonicalFirst, all of them count for FirstNamesMatch. Written
// for haloleads from common usage.
const nicknameGroups = `
abigail: abby abbie gail
abraham: abe bram
albert: al bert bertie
alfred: al alf alfie fred freddie
alan: al allan allen
alexander: alex alec sandy xander lex al
alexandra: alex alexa lexi sandra sandy sasha
andrew: andy drew andre
angela: angie
anthony: tony ant
antonio: tony toni
arthur: art artie
barbara: barb barbie babs
benjamin: ben benny benji
bernard: bernie
beverly: bev
bradley: brad
brian: bryan
calvin: cal
cameron: cam
carol: carole caroline carrie
catherine: cathy kathy cat kate katie katherine kathryn kat kay kitty
charles: charlie chuck chaz chas chip
christine: chris chrissy tina christina kristin kristina
christopher: chris kit topher
clifford: cliff
constance: connie
cynthia: cindy
daniel: dan danny
danielle: dani
david: dave davey
deborah: debbie deb debra
dennis: denny
donald: don donnie
dorothy: dot dottie dolly
douglas: doug
edward: ed eddie ted teddy ned
edwin: ed eddie
eleanor: ellie nora elle
elizabeth: liz lizzie beth betsy betty eliza libby lisa elisabeth bess
emily: em emmy
eugene: gene
frances: fran frankie
francis: frank fran
frank: frankie
franklin: frank
frederick: fred freddie fritz
gabriel: gabe
gabrielle: gabby gabi
gerald: gerry jerry
geoffrey: geoff jeff
gregory: greg
harold: hal harry
harrison: harry
henry: hank harry hal
herbert: herb bert
isabella: bella izzy isabel
jacob: jake
james: jim jimmy jamie jimbo
janet: jan
jeffrey: jeff
jennifer: jen jenny jenn
jessica: jess jessie
joanne: jo joanna
john: jack johnny jon
jonathan: jon jonny nathan
joseph: joe joey jo
joshua: josh
judith: judy
katherine: kate katie kathy kat
kenneth: ken kenny
kimberly: kim
lawrence: larry laurie
leonard: len lenny leo
louis: lou louie
margaret: maggie meg peggy marge madge greta maisie
matthew: matt
megan: meg
melissa: mel missy
michael: mike mikey mick mickey
michelle: shelly
nathaniel: nate nat nathan
nicholas: nick nicky nico
nicole: nikki
pamela: pam
patricia: pat patty trish tricia
patrick: pat paddy rick
peter: pete
philip: phil
phillip: phil
rebecca: becky becca
richard: rick ricky rich dick richie
robert: bob bobby rob robbie bert
ronald: ron ronnie
samantha: sam sammy
samuel: sam sammy
sandra: sandy
stephanie: steph
stephen: steve stevie
steven: steve stevie
stuart: stu
susan: sue susie suzy
suzanne: sue suzy
terence: terry
theodore: ted teddy theo
thomas: tom tommy
timothy: tim timmy
valerie: val
victoria: vicky tori
vincent: vince vinny
walter: walt wally
william: bill billy will willy liam
zachary: zach zack
`
