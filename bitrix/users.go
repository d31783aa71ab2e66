package bitrix

import "context"

// User is a portal user as user.current / user.get return it (fields depend on the scope).
type User struct {
	ID            FlexInt    `json:"ID"`
	Active        FlexBool   `json:"ACTIVE"`
	Name          string     `json:"NAME"`
	LastName      string     `json:"LAST_NAME"`
	SecondName    string     `json:"SECOND_NAME"`
	Email         FlexString `json:"EMAIL"`
	PersonalPhoto FlexString `json:"PERSONAL_PHOTO"` // URL
	WorkPosition  FlexString `json:"WORK_POSITION"`
	TimeZone      FlexString `json:"TIME_ZONE"`
	UserType      FlexString `json:"USER_TYPE"` // employee, extranet, email
	IsOnline      FlexBool   `json:"IS_ONLINE"`
	Departments   []FlexInt  `json:"UF_DEPARTMENT"`
}

// CurrentUser returns the user whose token makes the call (user.current). With AsUser and a
// placement's AUTH_ID it verifies the POST and tells who opened the page.
func (p *PortalClient) CurrentUser(ctx context.Context) (*User, error) {
	var u User
	if err := p.Call(ctx, "user.current", nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Users lists all users matching filter (user.get; e.g. {"ACTIVE": true, "USER_TYPE": "employee"}).
func (p *PortalClient) Users(ctx context.Context, filter map[string]any) ([]User, error) {
	params := Params{"sort": "ID", "order": "ASC"}
	if len(filter) > 0 {
		params["FILTER"] = filter
	}
	return All[User](ctx, p, "user.get", params)
}

// Profile is the calling user's short profile (profile).
type Profile struct {
	ID             FlexInt    `json:"ID"`
	Admin          FlexBool   `json:"ADMIN"`
	Name           string     `json:"NAME"`
	LastName       string     `json:"LAST_NAME"`
	PersonalGender FlexString `json:"PERSONAL_GENDER"`
	PersonalPhoto  FlexString `json:"PERSONAL_PHOTO"`
	TimeZone       FlexString `json:"TIME_ZONE"`
}

// Profile returns the calling user's profile; an inactive user gives a zero Profile.
func (p *PortalClient) Profile(ctx context.Context) (*Profile, error) {
	var pr Profile
	if err := p.Call(ctx, "profile", nil, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}

// AppInfo is app.info's answer about the app on this portal.
type AppInfo struct {
	ID             FlexInt    `json:"ID"`
	Code           string     `json:"CODE"`
	Version        FlexString `json:"VERSION"`
	Status         string     `json:"STATUS"` // F, D, T, P, L
	Installed      FlexBool   `json:"INSTALLED"`
	PaymentExpired FlexBool   `json:"PAYMENT_EXPIRED"`
	Days           FlexInt    `json:"DAYS"`
	LanguageID     string     `json:"LANGUAGE_ID"`
	License        string     `json:"LICENSE"`
	LicenseType    string     `json:"LICENSE_TYPE"`
	LicenseFamily  string     `json:"LICENSE_FAMILY"`
}

// AppInfo returns the app's state on the portal (app.info); Installed stays false until
// the installer calls BX24.installFinish().
func (p *PortalClient) AppInfo(ctx context.Context) (*AppInfo, error) {
	var a AppInfo
	if err := p.Call(ctx, "app.info", nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Department is a department as department.get returns it.
type Department struct {
	ID     FlexInt `json:"ID"`
	Name   string  `json:"NAME"`
	Parent FlexInt `json:"PARENT"`
	Head   FlexInt `json:"UF_HEAD"` // the head's user id; 0: none
}

// Departments reads the department of id (department.get).
func (p *PortalClient) Departments(ctx context.Context, id int64) ([]Department, error) {
	return All[Department](ctx, p, "department.get", Params{"ID": id})
}
