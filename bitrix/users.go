package bitrix

// User is a portal user as user.current / user.get return it.
type User struct {
	ID            FlexInt   `json:"ID"`
	Active        FlexBool  `json:"ACTIVE"`
	Name          string    `json:"NAME"`
	LastName      string    `json:"LAST_NAME"`
	SecondName    string    `json:"SECOND_NAME"`
	Email         string    `json:"EMAIL"`
	PersonalPhoto string    `json:"PERSONAL_PHOTO"`
	WorkPosition  string    `json:"WORK_POSITION"`
	TimeZone      string    `json:"TIME_ZONE"`
	UserType      string    `json:"USER_TYPE"`
	IsOnline      FlexBool  `json:"IS_ONLINE"`
	Departments   []FlexInt `json:"UF_DEPARTMENT"`
}
