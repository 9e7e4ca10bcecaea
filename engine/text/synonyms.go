package text

import (
	"slices"
	"strings"
	"sync"
)

// synonymGroups are near-synonyms a person searching news and everyday
// footage uses interchangeably. Words are stemmed when the table is built.
var synonymGroups = []string{
	"train railway railroad rail locomotive",
	"crash collision wreck derailment accident",
	"fire blaze flame flames burning",
	"smoke fumes plume",
	"toxic poisonous hazardous",
	"chemical chemicals substance",
	"water drinking",
	"town village city community",
	"resident residents locals townspeople inhabitants",
	"people crowd public",
	"angry furious upset outraged",
	"meeting gathering assembly",
	"governor official officials authorities",
	"doctor physician",
	"car automobile vehicle",
	"child kid children kids",
	"lawsuit lawsuits litigation suit",
	"cancer carcinogen tumor",
	"fish fishes",
	"dead killed died death",
	"reporter correspondent journalist",
	"news report broadcast",
	"big large huge",
	"small little tiny",
	"happy glad joyful",
	"photo picture image",
	"film movie video",
	"ocean sea",
	"road street highway",
	"home house houses homes",
}

// Lexicon maps a stem to the stems of its near-synonyms.
type Lexicon map[string][]string

// Synonyms is the engine's lexicon of near-synonyms, built once.
var Synonyms = sync.OnceValue(func() Lexicon { return newLexicon(synonymGroups) })

func newLexicon(groups []string) Lexicon {
	lx := Lexicon{}
	for _, g := range groups {
		var stems []string
		for _, w := range strings.Fields(g) {
			if s := Stem(w); !slices.Contains(stems, s) {
				stems = append(stems, s)
			}
		}
		for _, s := range stems {
			for _, o := range stems {
				if o != s && !slices.Contains(lx[s], o) {
					lx[s] = append(lx[s], o)
				}
			}
		}
	}
	return lx
}
