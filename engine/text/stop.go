package text

import "strings"

// functionWords are the closed-class words (articles, pronouns,
// prepositions, auxiliaries) that no search could mean to match on.
var functionWords = setOf(`
a an and are as at be been but by for from had has have he her his i if in into is it its
of on or our she so than that the their them then there these they this to was we were what when where which
who will with you your do does did not no yes can could would should may might about over also just very
`)

// vagueWords carry no subject either, though a query may still name them
// ("first aid", "turn right"): the other function words, fillers of speech,
// and verbs and nouns too general to say what a video is about.
var vagueWords = setOf(`
above after again against all almost although am among another any anybody anyone anything aren't
around away back became because become before being below between both can't cannot couldn't didn't
doesn't doing don't done down during each either else enough even ever every few first further get
gets getting give given go goes going gone got hadn't hasn't haven't having he'd he'll he's here
here's hers herself him himself how how's however i'd i'll i'm i've isn't it's itself know last
least less let let's like likely made make makes many maybe me mine more most much must my myself
near need needs neither never next nobody none nor nothing now off often oh ok okay once one only
onto other others otherwise ours ourselves out own per perhaps please put quite rather really right
said same say says see seem seems several shall she'd she'll she's shouldn't since some somebody
someone something sometimes still such sure take that's theirs themselves there's they'd they'll
they're they've thing things think those though through thus too toward towards under until up upon
us use used via want wants wasn't way we'd we'll we're we've well weren't what's whatever whenever
where's whether while who's whom whose why within without won't wouldn't yeah yet you'd you'll
you're you've yours yourself yourselves uh um er ah hmm gonna wanna kind sort lot lots actually
basically come comes came coming tell told tells telling two three gives giving knows knowing
liked likes liking making needed needing puts putting saying sees seeing seemed seeming takes taking
thinks thinking uses using wanted wanting lets letting kinds sorts ones ways
`)

// IsFunctionWord says whether lower-case word w is a function word, which
// search neither indexes nor matches.
func IsFunctionWord(w string) bool {
	_, ok := functionWords[w]
	return ok
}

// IsStop says whether lower-case word w (apostrophes kept: "she'll" is a
// stop word, "shell" is not) carries no subject: a function word, a vague
// word, or a single letter. The lists name the inflections they mean
// ("seemed", "getting"): matching by stem would make "mining", "wells" and
// "kindness" stop words too. Generation leaves them out of what a video is
// about.
func IsStop(w string) bool {
	if len([]rune(w)) < 2 {
		return true
	}
	if _, ok := functionWords[w]; ok {
		return true
	}
	_, ok := vagueWords[w]
	return ok
}

func setOf(words string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}
