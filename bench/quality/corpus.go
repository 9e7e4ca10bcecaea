package main

// The test videos, as data: what each segment shows (a real photograph,
// panned), the caption burned in over it, what the narrator says, and what
// a person would search for and ask. Every figure the harness reports is
// measured against this, so the ground truth is how the video was built.
// Nothing in the engine knows any of it.

// segment is one shot: a hard cut starts it, a new caption and a new topic.
type segment struct {
	Photo     string   // file name in photoDir
	Captions  []string // lines of the burned-in caption, top first
	Style     int      // captionStyles index
	Narration string
	Voice     string // flite voice
}

// query is a search a person would type, aimed at one segment.
type query struct {
	Text    string
	Segment int
}

// question has a known answer: any one of Want (each a set of words that
// must all appear), or a time inside Segment, or "not shown".
type question struct {
	Prompt   string
	Want     [][]string
	Segment  int // for At questions: the segment whose time is the answer
	At       bool
	NotShown bool
}

type videoSpec struct {
	Name     string
	Bug      string // channel label shown on every frame ("" none)
	Noise    bool   // a quiet noise bed under the narration
	Segments []segment
	// Caption queries use on-screen words only; speech queries only words
	// that are spoken and not on screen. Each video's last caption query
	// pairs a word of the channel label (on screen all the time) with a
	// caption word: only the caption's moment is relevant.
	CaptionQueries []query
	SpeechQueries  []query
	Questions      []question
}

var corpus = []videoSpec{
	{
		Name: "harbour",
		Bug:  "HARBOUR CITY NEWS",
		Segments: []segment{
			{Photo: "Aqua.jpg", Captions: []string{"DOCKWORKERS STRIKE ENDS", "PORT OF VALLETTA"}, Style: 0, Voice: "slt",
				Narration: "After nine days the dockworkers voted to return to work on Monday morning."},
			{Photo: "Storm.jpg", Captions: []string{"STORM WARNING FOR THE COAST"}, Style: 1, Voice: "slt",
				Narration: "Forecasters expect strong winds and heavy rain along the northern shore tonight."},
			{Photo: "Dune.jpg", Captions: []string{"MARIA OKAFOR", "HARBOUR MASTER"}, Style: 2, Voice: "rms",
				Narration: "She said the ferries will keep running unless the waves grow higher."},
			{Photo: "Wood.jpg", Captions: []string{"FORKLIFT SAFETY WEEK"}, Style: 3, Voice: "slt",
				Narration: "Every driver in the depot must finish a new training course before the end of the month."},
			{Photo: "RainDrops.jpg", Captions: []string{"CRUISE SHIPS RETURN"}, Style: 0, Voice: "rms",
				Narration: "Twelve cruise liners are booked to visit between April and October."},
			{Photo: "GreenMeadow.jpg", Captions: []string{"LIGHTHOUSE REOPENS"}, Style: 1, Voice: "slt",
				Narration: "The old tower on the north pier welcomes visitors again after two years of repairs."},
		},
		CaptionQueries: []query{{"dockworkers strike", 0}, {"storm warning", 1}, {"Maria Okafor", 2}, {"forklift", 3}, {"cruise ships", 4}, {"lighthouse", 5}, {"harbour master", 2}},
		SpeechQueries:  []query{{"return to work", 0}, {"heavy rain", 1}, {"ferries keep running", 2}, {"training course", 3}, {"April and October", 4}, {"north pier", 5}},
		Questions: []question{
			{Prompt: "Where did this happen?", Want: [][]string{{"valletta"}}},
			{Prompt: "Who is the harbour master?", Want: [][]string{{"maria", "okafor"}, {"okafor"}}},
			{Prompt: "How many days did the strike last?", Want: [][]string{{"nine"}, {"9"}}},
			{Prompt: "When is the forklift safety week shown?", At: true, Segment: 3},
			{Prompt: "What did the dockworkers vote to do?", Want: [][]string{{"return", "work"}}},
			{Prompt: "What is the weather forecast?", Want: [][]string{{"wind"}, {"rain"}}},
			{Prompt: "What must every driver finish?", Want: [][]string{{"training", "course"}, {"course"}}},
			{Prompt: "What reopens to visitors?", Want: [][]string{{"lighthouse"}, {"light", "house"}}},
			{Prompt: "What colour is the ferry?", NotShown: true},
			{Prompt: "Who won the football match?", NotShown: true},
		},
	},
	{
		Name: "meadow",
		Bug:  "NATURE DESK",
		Segments: []segment{
			{Photo: "LadyBird.jpg", Captions: []string{"LADYBIRD COUNT BEGINS"}, Style: 2, Voice: "awb",
				Narration: "Volunteers counted four hundred of the beetles in the long grass on the first morning."},
			{Photo: "YellowFlower.jpg", Captions: []string{"SUNFLOWER FESTIVAL OPENS"}, Style: 0, Voice: "slt",
				Narration: "The festival draws visitors from every village along the river valley."},
			{Photo: "TwoWings.jpg", Captions: []string{"DR HELEN PARK", "BUTTERFLY RESEARCHER"}, Style: 1, Voice: "slt",
				Narration: "Doctor Park explained that the insects rest on the windowsill of the old greenhouse."},
			{Photo: "Garden.jpg", Captions: []string{"GARDEN TRAIL CLOSED"}, Style: 3, Voice: "awb",
				Narration: "The path will stay shut until the bridge over the stream is repaired."},
			{Photo: "GreenMeadow.jpg", Captions: []string{"KESTREL NESTS FOUND"}, Style: 2, Voice: "slt",
				Narration: "Rangers found three nests on the cliffs above the bay."},
			{Photo: "FreshFlower.jpg", Captions: []string{"ENTRY FREE ON SUNDAYS"}, Style: 0, Voice: "rms",
				Narration: "Children and pensioners pay nothing at the reserve at the weekend."},
		},
		CaptionQueries: []query{{"ladybird count", 0}, {"sunflower festival", 1}, {"Helen Park", 2}, {"garden trail", 3}, {"kestrel", 4}, {"entry free", 5}, {"nature trail", 3}},
		SpeechQueries:  []query{{"four hundred", 0}, {"river valley", 1}, {"window sill", 2}, {"bridge over the stream", 3}, {"cliffs above the bay", 4}, {"children and pensioners", 5}},
		Questions: []question{
			{Prompt: "Which animal did the volunteers count?", Want: [][]string{{"ladybird"}}},
			{Prompt: "Who is the butterfly researcher?", Want: [][]string{{"helen", "park"}}},
			{Prompt: "How many kestrel nests were found?", Want: [][]string{{"three"}, {"3"}}},
			{Prompt: "Where do the insects rest?", Want: [][]string{{"windowsill"}, {"window", "sill"}, {"greenhouse"}}},
			{Prompt: "When is the garden trail closed?", At: true, Segment: 3},
			{Prompt: "Why is the path shut?", Want: [][]string{{"bridge"}}},
			{Prompt: "What is free on Sundays?", Want: [][]string{{"entry"}}},
			{Prompt: "How many ladybirds were counted?", Want: [][]string{{"four", "hundred"}, {"400"}}},
			{Prompt: "How many visitors came by car?", NotShown: true},
			{Prompt: "What is the name of the river?", NotShown: true},
		},
	},
	{
		Name: "transport",
		Bug:  "METRO TODAY",
		Segments: []segment{
			{Photo: "Blinds.jpg", Captions: []string{"TRAM LINE EXTENSION APPROVED"}, Style: 1, Voice: "rms",
				Narration: "The city council voted for the new route to the airport on Tuesday evening."},
			{Photo: "Storm.jpg", Captions: []string{"BRIDGE REPAIRS DELAYED"}, Style: 3, Voice: "slt",
				Narration: "Work on the old stone crossing is late because of flooding in the spring."},
			{Photo: "Dune.jpg", Captions: []string{"JONAS WEBER", "TRANSPORT MINISTER"}, Style: 0, Voice: "awb",
				Narration: "The minister promised that fares will be frozen for two more years."},
			{Photo: "Wood.jpg", Captions: []string{"BICYCLE LANES DOUBLE"}, Style: 2, Voice: "slt",
				Narration: "The number of cycle paths in the city centre will grow by next summer."},
			{Photo: "Aqua.jpg", Captions: []string{"FERRY FARES RISE"}, Style: 1, Voice: "rms",
				Narration: "Tickets for the boat will cost fifty cents more from the first of June."},
			{Photo: "RainDrops.jpg", Captions: []string{"NIGHT BUSES RETURN"}, Style: 3, Voice: "slt",
				Narration: "Late services come back to the suburbs after a break of eighteen months."},
		},
		CaptionQueries: []query{{"tram line extension", 0}, {"bridge repairs", 1}, {"Jonas Weber", 2}, {"bicycle lanes", 3}, {"ferry fares", 4}, {"night buses", 5}, {"night metro", 5}},
		SpeechQueries:  []query{{"city council", 0}, {"flooding in the spring", 1}, {"fares will be frozen", 2}, {"cycle paths", 3}, {"fifty cents", 4}, {"eighteen months", 5}},
		Questions: []question{
			{Prompt: "When was the tram line extension approved?", Want: [][]string{{"tuesday"}}},
			{Prompt: "Who is the transport minister?", Want: [][]string{{"jonas", "weber"}, {"weber"}}},
			{Prompt: "Why are the bridge repairs delayed?", Want: [][]string{{"flood"}}},
			{Prompt: "How much more will ferry tickets cost?", Want: [][]string{{"fifty"}, {"50"}}},
			{Prompt: "When is the bicycle lanes caption shown?", At: true, Segment: 3},
			{Prompt: "Where will the new tram route go?", Want: [][]string{{"airport"}}},
			{Prompt: "How long were the night buses away?", Want: [][]string{{"eighteen"}, {"18"}}},
			{Prompt: "What did the minister promise?", Want: [][]string{{"fares", "frozen"}, {"frozen"}}},
			{Prompt: "Who drives the tram?", NotShown: true},
			{Prompt: "What colour are the buses?", NotShown: true},
		},
	},
	{
		Name:  "market",
		Bug:   "MARKET WATCH",
		Noise: true,
		Segments: []segment{
			{Photo: "YellowFlower.jpg", Captions: []string{"QUARTERLY SALES UP 12 PERCENT"}, Style: 2, Voice: "slt",
				Narration: "The cooperative reported that its income rose strongly over the last three months."},
			{Photo: "Garden.jpg", Captions: []string{"ORGANIC FARMERS MARKET"}, Style: 0, Voice: "rms",
				Narration: "Stalls now open every Saturday in the town square."},
			{Photo: "LadyBird.jpg", Captions: []string{"AMARA SINGH", "CHIEF EXECUTIVE"}, Style: 3, Voice: "slt",
				Narration: "She said the new building will create sixty jobs."},
			{Photo: "Blinds.jpg", Captions: []string{"NEW WAREHOUSE IN RIVERSIDE"}, Style: 1, Voice: "awb",
				Narration: "It will store grain, apples and honey for the whole region."},
			{Photo: "Dune.jpg", Captions: []string{"HONEY PRICES FALL"}, Style: 2, Voice: "slt",
				Narration: "Beekeepers blame a record harvest across the southern hills."},
			{Photo: "TwoWings.jpg", Captions: []string{"DELIVERIES BY ELECTRIC VAN"}, Style: 0, Voice: "rms",
				Narration: "From next month every parcel will travel on battery power."},
		},
		CaptionQueries: []query{{"quarterly sales", 0}, {"farmers market", 1}, {"Amara Singh", 2}, {"warehouse", 3}, {"honey prices", 4}, {"electric van", 5}, {"market warehouse", 3}},
		SpeechQueries:  []query{{"last three months", 0}, {"town square", 1}, {"sixty jobs", 2}, {"grain apples", 3}, {"record harvest", 4}, {"battery power", 5}},
		Questions: []question{
			{Prompt: "Where is the new warehouse?", Want: [][]string{{"riverside"}}},
			{Prompt: "Who is the chief executive?", Want: [][]string{{"amara", "singh"}, {"singh"}}},
			{Prompt: "How many jobs will the new building create?", Want: [][]string{{"sixty"}, {"60"}}},
			{Prompt: "By how much did quarterly sales rise?", Want: [][]string{{"12"}, {"twelve"}}},
			{Prompt: "When do the stalls open?", Want: [][]string{{"saturday"}}},
			{Prompt: "Why did honey prices fall?", Want: [][]string{{"harvest"}}},
			{Prompt: "How will deliveries be made?", Want: [][]string{{"electric"}, {"battery"}}},
			{Prompt: "When is the honey prices caption shown?", At: true, Segment: 4},
			{Prompt: "What is the name of the town?", NotShown: true},
			{Prompt: "How many cows does the farm have?", NotShown: true},
		},
	},
}
