package inbox

import (
	"encoding/json"
	"fmt"
)

// Who-sees-what values of setting 6.
const (
	SeeAll           = "all"
	SeeOwnUnassigned = "own_and_unassigned" // the default
	SeeOwn           = "own"
	// SeeOwnDepartment: own dialogs, and a head of department's also those
	// of their departments' users, as Bitrix24's own roles work.
	SeeOwnDepartment = "own_and_department"
)

// What the CRM sync creates for a client nobody knows (setting 2).
const (
	CreateContact     = "contact" // the default
	CreateLead        = "lead"
	CreateContactDeal = "contact_deal"
)

// How new entities get their responsible (settings 3 and 8).
const (
	DistributeRoundRobin  = "round_robin" // the default
	DistributeOne         = "one"
	DistributeLeastLoaded = "least_loaded"
)

// Timeline targets (setting 5): which of a client's entities get each
// message as a comment.
const (
	TimelineContact = "contact" // the client's contacts
	TimelineLeads   = "lead"    // their open leads
	TimelineDeals   = "deal"    // their open deals
)

// Settings are a portal's admin settings, read in this one place with
// their defaults: a key the portal never set has its default value.
type Settings struct {
	Visibility string  `json:"visibility"` // setting 6
	SeeAllIDs  []int64 `json:"see_all"`    // setting 7: user ids (ours) who see every dialog
	CRM        CRM     `json:"crm"`
	Notify     Notify  `json:"notify"`
}

// CRM is how the portal's clients are mirrored into its CRM.
type CRM struct {
	Create       string `json:"create"`        // CreateContact, CreateLead or CreateContactDeal
	DealCategory int64  `json:"deal_category"` // pipeline of a created deal (0: the default one)
	DealStage    string `json:"deal_stage"`    // its stage ("": the pipeline's first)
	SourceLabel  bool   `json:"source_label"`  // write SOURCE_ID and "WhatsApp — Sales" (setting 4)
	// Timeline duplicates every message as a comment (setting 5) on the
	// entities TimelineOn names.
	Timeline   bool     `json:"timeline"`
	TimelineOn []string `json:"timeline_on"`
	// Distribute picks the responsible of what is created (setting 8):
	// round-robin over DistributeTo (Bitrix24 user ids; empty: every user
	// with access), always DistributeTo[0], or the least loaded of them.
	Distribute   string  `json:"distribute"`
	DistributeTo []int64 `json:"distribute_to"`
	PinLimit     int     `json:"pin_limit"` // pinned comments per entity (Bitrix24's own limit: 3)
}

// defaultSettings are what a portal that never saved its settings gets.
func defaultSettings() Settings {
	return Settings{
		Visibility: SeeOwnUnassigned,
		CRM: CRM{
			Create: CreateContact, SourceLabel: true, Timeline: true,
			TimelineOn: []string{TimelineContact, TimelineLeads, TimelineDeals},
			Distribute: DistributeRoundRobin, PinLimit: 3,
		},
		Notify: Notify{DelayMinutes: 5},
	}
}

// settingsOf reads a portal's stored settings over the defaults.
func settingsOf(raw json.RawMessage) (Settings, error) {
	s := defaultSettings()
	if len(raw) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("inbox: unreadable settings: %w", err)
	}
	return s, nil
}
