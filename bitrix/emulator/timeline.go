package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type timelineFile struct {
	ID   int
	Name string
	Data []byte
}

func (f timelineFile) isImage() bool {
	ext := strings.ToLower(f.Name[strings.LastIndexByte(f.Name, '.')+1:])
	return slices.Contains([]string{"jpg", "jpeg", "png", "gif", "webp", "bmp"}, ext)
}

type timelineComment struct {
	ID        int
	OwnerType int
	OwnerID   int
	Comment   string
	AuthorID  int
	Created   time.Time
	Files     []timelineFile
	Pinned    bool
}

// TimelineEntry is a timeline comment, for inspection.
type TimelineEntry struct {
	ID       int
	Comment  string
	AuthorID int
	Created  time.Time
	Pinned   bool
	Files    []string // file names
}

var ownerTypeNames = map[int]string{TypeLead: "lead", TypeDeal: "deal", TypeContact: "contact", TypeCompany: "company"}

// ownerTypeID reads lead|deal|contact|company (or a number).
func ownerTypeID(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	for id, name := range ownerTypeNames {
		if name == s {
			return id
		}
	}
	return 0
}

func (p *Portal) ownerExists(typeID, id int) bool {
	s := p.storeFor(strconv.Itoa(typeID))
	if s == nil {
		return false
	}
	_, ok := s.rows[id]
	return ok
}

// Engine-controller errors (crm.timeline.*): numeric codes where the
// portal's Error object has one.
var (
	errOwnerNotFound  = badRequest("OWNER_NOT_FOUND", "Owner was not found.")
	errTimelineNF     = badRequest("NOT_FOUND", "Not found.")
	errEmptyComment   = badRequest("INVALID_ARG_VALUE", "Empty comment message")
	errTimelineAccess = badRequest("ACCESS_DENIED", "Access denied.")
)

func missingParam(name string) *apiError {
	return badRequest(100, fmt.Sprintf("Could not find value for parameter {%s}", name))
}

// Timeline returns the comments of a CRM item ("LEAD", "DEAL", "CONTACT")
// as the card shows them: pinned first, then newest first.
func (p *Portal) Timeline(entityType string, id int) []TimelineEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []TimelineEntry
	for _, c := range p.timelineOf(ownerTypeID(entityType), id) {
		e := TimelineEntry{ID: c.ID, Comment: c.Comment, AuthorID: c.AuthorID, Created: c.Created, Pinned: c.Pinned}
		for _, f := range c.Files {
			e.Files = append(e.Files, f.Name)
		}
		out = append(out, e)
	}
	return out
}

// timelineOf lists an owner's comments pinned first, newest first; p.mu held.
func (p *Portal) timelineOf(typeID, id int) []*timelineComment {
	var out []*timelineComment
	for _, c := range p.timeline {
		if c.OwnerType == typeID && c.OwnerID == id {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *timelineComment) int {
		if a.Pinned != b.Pinned {
			if a.Pinned {
				return -1
			}
			return 1
		}
		return b.ID - a.ID
	})
	return out
}

func decodeFiles(v any, next func() int) []timelineFile {
	var out []timelineFile
	for _, item := range list(v) {
		pair := list(item)
		if len(pair) < 2 {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(str(pair[1]))
		if err != nil || len(data) == 0 {
			continue // a corrupt file is silently dropped, as CRestUtil::saveFile does
		}
		out = append(out, timelineFile{ID: next(), Name: str(pair[0]), Data: data})
	}
	return out
}

// timelineCommentAdd answers crm.timeline.comment.add: only lowercase
// "fields" is read (crm ≥ 23.100).
func (p *Portal) timelineCommentAdd(c *call) (any, error) {
	fv, ok := c.params.get("fields")
	fields := asObjStrict(fv)
	if !ok || fields == nil {
		return nil, missingParam("fields")
	}
	typeID := ownerTypeID(fields.str("ENTITY_TYPE"))
	if typeID == 0 {
		typeID = num(fields.str("ENTITY_TYPE_ID"))
	}
	ownerID := num(fields.str("ENTITY_ID"))
	if strings.TrimSpace(fields.str("ENTITY_ID")) == "" || (fields.str("ENTITY_TYPE") == "" && fields.str("ENTITY_TYPE_ID") == "") {
		return nil, badRequest(100, "Required fields: ENTITY_ID, ENTITY_TYPE")
	}
	// [S] comment.php: an id ≤ 0 or a type CCrmOwnerType does not know is
	// OWNER_NOT_FOUND, as is a well-formed id that does not exist.
	if typeID == 0 || ownerID <= 0 || !p.ownerExists(typeID, ownerID) {
		return nil, errOwnerNotFound
	}
	if !c.mayAccess(p.storeFor(strconv.Itoa(typeID)).rows[ownerID]) {
		return nil, errTimelineAccess
	}
	text := strings.TrimSpace(fields.str("COMMENT"))
	if text == "" {
		return nil, errEmptyComment
	}
	author := num(fields.str("AUTHOR_ID"))
	if author <= 0 {
		author = c.user.ID
	}
	tc := &timelineComment{ID: p.seq("timeline"), OwnerType: typeID, OwnerID: ownerID, Comment: text, AuthorID: author, Created: p.now()}
	tc.Files = decodeFiles(fields.vals["FILES"], func() int { return p.seq("file") })
	p.timeline[tc.ID] = tc
	c.queue(p, "ONCRMTIMELINECOMMENTADD", newObj().set("ID", tc.ID))
	return tc.ID, nil
}

func (p *Portal) timelineCommentUpdate(c *call) (any, error) {
	id := num(c.params.str("id"))
	if id <= 0 {
		return nil, missingParam("id")
	}
	tc, ok := p.timeline[id]
	if !ok {
		return nil, errTimelineNF
	}
	fields := asObjStrict(c.params.vals["fields"])
	if fields == nil {
		return nil, missingParam("fields")
	}
	if v, ok := fields.get("COMMENT"); ok {
		text := strings.TrimSpace(str(v))
		if text == "" {
			return nil, errEmptyComment
		}
		tc.Comment = text
	}
	if v, ok := fields.get("FILES"); ok {
		tc.Files = decodeFiles(v, func() int { return p.seq("file") })
	}
	c.queue(p, "ONCRMTIMELINECOMMENTUPDATE", newObj().set("ID", tc.ID))
	return tc.ID, nil
}

func (p *Portal) timelineCommentDelete(c *call) (any, error) {
	id := num(c.params.str("id"))
	if id <= 0 {
		return nil, missingParam("id")
	}
	if _, ok := p.timeline[id]; !ok {
		return nil, errTimelineNF
	}
	delete(p.timeline, id)
	c.queue(p, "ONCRMTIMELINECOMMENTDELETE", newObj().set("ID", id))
	return nil, nil
}

func (p *Portal) timelineCommentGet(c *call) (any, error) {
	id := num(c.params.str("id"))
	tc, ok := p.timeline[id]
	if id <= 0 || !ok {
		return nil, crmErr("Not found.")
	}
	return p.commentView(tc, nil), nil
}

func (p *Portal) commentView(tc *timelineComment, sel []string) *obj {
	o := newObj()
	add := func(k string, v any) {
		if len(sel) == 0 || slices.Contains(sel, "*") || slices.Contains(sel, k) {
			o.set(k, v)
		}
	}
	add("ID", strconv.Itoa(tc.ID))
	add("CREATED", bxTime(tc.Created))
	add("ENTITY_ID", tc.OwnerID)
	add("ENTITY_TYPE", ownerTypeNames[tc.OwnerType])
	add("AUTHOR_ID", strconv.Itoa(tc.AuthorID))
	add("COMMENT", tc.Comment)
	files := newObj()
	for _, f := range tc.Files {
		fo := newObj().
			set("id", f.ID).
			set("date", bxTime(tc.Created)).
			set("type", map[bool]string{true: "image", false: "file"}[f.isImage()]).
			set("name", f.Name).
			set("size", len(f.Data))
		if f.isImage() {
			fo.set("image", newObj().set("width", 1).set("height", 1))
		}
		author := p.users[tc.AuthorID]
		name := ""
		if author != nil {
			name = strings.TrimSpace(author.Name + " " + author.LastName)
		}
		link := fmt.Sprintf("%s/disk/timeline/%d/%s", p.BaseURL(), f.ID, f.Name)
		fo.set("authorId", tc.AuthorID).set("authorName", name).
			set("urlPreview", link).set("urlShow", link).set("urlDownload", link+"?download=Y")
		files.set(strconv.Itoa(f.ID), fo)
	}
	if files.len() == 0 && p.cfg.TimelineEmptyFilesMap {
		add("FILES", map[string]any{})
	} else {
		add("FILES", files)
	}
	return o
}

// timelineCommentList answers crm.timeline.comment.list; the filter needs
// ENTITY_ID and ENTITY_TYPE.
func (p *Portal) timelineCommentList(c *call) (any, error) {
	filter := c.params.sub("filter", "FILTER")
	typeID := ownerTypeID(filter.str("ENTITY_TYPE"))
	ownerID := num(filter.str("ENTITY_ID"))
	if ownerID <= 0 {
		return nil, crmErr("ENTITY_ID is not defined or invalid.")
	}
	if typeID == 0 {
		return nil, crmErr("ENTITY_TYPE is not defined or invalid.")
	}
	var rows []*timelineComment
	for _, tc := range p.timeline {
		if tc.OwnerType == typeID && tc.OwnerID == ownerID {
			rows = append(rows, tc)
		}
	}
	desc := true
	order := c.params.sub("order", "ORDER")
	for _, k := range order.keysOrNil() {
		desc = strings.EqualFold(str(order.vals[k]), "DESC")
	}
	slices.SortFunc(rows, func(a, b *timelineComment) int {
		if desc {
			return b.ID - a.ID
		}
		return a.ID - b.ID
	})
	var sel []string
	for _, v := range list(c.params.sub("select", "SELECT")) {
		sel = append(sel, strings.ToUpper(str(v)))
	}
	lr := paginate(c.params, rows)
	out := []*obj{}
	for _, tc := range lr.items.([]*timelineComment) {
		out = append(out, p.commentView(tc, sel))
	}
	lr.items = out
	return lr, nil
}

var numberWords = map[int]string{1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}

// pinTarget resolves id/ownerTypeId/ownerId of pin and unpin.
func (p *Portal) pinTarget(c *call) (*timelineComment, error) {
	for _, k := range []string{"id", "ownerTypeId", "ownerId"} {
		if num(c.params.str(k)) <= 0 {
			return nil, missingParam(k)
		}
	}
	typeID, ownerID := num(c.params.str("ownerTypeId")), num(c.params.str("ownerId"))
	if !p.ownerExists(typeID, ownerID) {
		return nil, errOwnerNotFound
	}
	if !c.mayAccess(p.storeFor(strconv.Itoa(typeID)).rows[ownerID]) {
		return nil, errTimelineAccess
	}
	tc, ok := p.timeline[num(c.params.str("id"))]
	if !ok || tc.OwnerType != typeID || tc.OwnerID != ownerID {
		return nil, errTimelineNF
	}
	return tc, nil
}

// timelinePin answers crm.timeline.item.pin: null, or code 0 at the limit
// (already pinned ones count, so re-pinning at the limit also fails).
func (p *Portal) timelinePin(c *call) (any, error) {
	tc, err := p.pinTarget(c)
	if err != nil {
		return nil, err
	}
	pinned := 0
	for _, other := range p.timeline {
		if other.Pinned && other.OwnerType == tc.OwnerType && other.OwnerID == tc.OwnerID {
			pinned++
		}
	}
	if pinned >= p.cfg.PinLimit {
		word := numberWords[p.cfg.PinLimit]
		if word == "" {
			word = strconv.Itoa(p.cfg.PinLimit)
		}
		return nil, newErr(http.StatusBadRequest, 0, fmt.Sprintf("Only %s events can be added to favorites", word))
	}
	tc.Pinned = true
	return nil, nil
}

func (p *Portal) timelineUnpin(c *call) (any, error) {
	tc, err := p.pinTarget(c)
	if err != nil {
		return nil, err
	}
	tc.Pinned = false
	return nil, nil
}

// serveTimelineFile serves a timeline attachment (urlShow/urlDownload).
func (p *Portal) serveTimelineFile(w http.ResponseWriter, r *http.Request, fileID int) {
	p.mu.Lock()
	var file *timelineFile
	for _, tc := range p.timeline {
		for i := range tc.Files {
			if tc.Files[i].ID == fileID {
				file = &tc.Files[i]
			}
		}
	}
	p.mu.Unlock()
	if file == nil {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("download") == "Y" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file.Name))
	}
	w.Header().Set("Content-Type", http.DetectContentType(file.Data))
	_, _ = w.Write(file.Data)
}
