//! The names people see for the journal's closed vocabularies (stages, kinds, reasons,
//! categories...), one word list for every shell. Stored spellings (`as_str`) stay for
//! files and JSON; these are for people.

use crate::model::*;
use crate::reports::work_search::Method;

/// A value's name for people.
pub trait Label: Copy {
    fn label(self) -> &'static str;
}

macro_rules! labels {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl Label for $ty {
            fn label(self) -> &'static str {
                match self { $(<$ty>::$variant => $text),+ }
            }
        }
    };
}

labels!(Kind {
    Application => "Application",
    Interview => "Interview",
    Contact => "Person",
    Rejection => "A no",
    Message => "Note",
    Entry => "Journal entry",
    Mood => "Check-in",
    Activity => "Stepping back",
    Goal => "Goal",
});

labels!(Stage {
    Saved => "Saved",
    Applied => "Applied",
    Screening => "Screening",
    Interviewing => "Interviewing",
    Final => "Final round",
    Offer => "Offer",
});

// How an application ended; never "failed".
labels!(Outcome {
    Open => "Still open",
    Rejected => "Closed: a no this time",
    Withdrawn => "You stepped away",
    NoResponse => "No answer came",
    OfferDeclined => "You said no to an offer",
    Hired => "Hired",
});

// The reason a company gave; most give none, and that is normal.
labels!(Reason {
    None => "No reason given",
    StrongerCandidate => "Someone else fit closer",
    InternalCandidate => "An internal candidate",
    RoleClosed => "The role closed",
    ExperienceLevel => "Experience level",
    SkillsGap => "A skills gap",
    LocationVisa => "Location or visa",
    Compensation => "Compensation",
    Other => "Something else",
});

labels!(InterviewKind {
    RecruiterScreen => "Recruiter screen",
    Phone => "Phone",
    Technical => "Technical",
    TakeHome => "Take-home",
    Panel => "Panel",
    HiringManager => "Hiring manager",
    Final => "Final",
});

labels!(EntryKind {
    Free => "Free writing",
    RejectionReflection => "After a no",
    Debrief => "Interview debrief",
    Expressive => "Let it out",
    Gratitude => "Gratitude",
    WeeklyReview => "Weekly review",
    LearningLog => "Learning log",
});

labels!(ActivityCategory {
    Social => "With someone",
    Leisure => "Something fun",
    Creative => "Make something",
    Physical => "Move",
    Rest => "Rest",
    Learning => "Learn something",
});

labels!(GoalKind {
    Course => "Course",
    Skill => "Skill",
    Networking => "People",
    Project => "Project",
    Certification => "Certificate",
    Opportunity => "Opportunity",
});

// What a spreadsheet's column fills, as an import's mapping shows it.
labels!(crate::import::csv::Field {
    Company => "Company",
    Role => "Role",
    Status => "Stage and outcome",
    Applied => "Date applied",
    Url => "Link to the posting",
    Notes => "Notes",
    Location => "Location",
    Salary => "Salary",
    Source => "Where you found it",
    Excitement => "How excited you are",
    WorkMode => "Remote, hybrid or on site",
});

labels!(Source {
    Referral => "Referral",
    JobBoard => "Job board",
    CompanySite => "Company site",
    Recruiter => "Recruiter",
    Network => "Network",
    Other => "Other",
});

labels!(Channel {
    Email => "Email",
    Phone => "Phone",
    Portal => "Portal",
    InPerson => "In person",
    Silence => "Silence",
});

// Where a goal stands; letting one go is a fine decision too.
labels!(GoalStatus {
    Open => "Not started yet",
    InProgress => "Under way",
    Done => "Done",
    Dropped => "Let go",
});

labels!(MessageKind {
    ThankYou => "Thank-you note",
    FeedbackRequest => "Feedback request",
    FollowUp => "Follow-up",
    Networking => "Networking note",
});

// Who a person is in the search.
labels!(ContactRole {
    Recruiter => "Recruiter",
    HiringManager => "Hiring manager",
    Interviewer => "Interviewer",
    Referrer => "Referred me",
    Peer => "Peer",
    Friend => "Friend",
});

// Where a note stands; declined and no reply are ordinary endings.
labels!(MessageStatus {
    Draft => "Draft",
    Sent => "Sent",
    Replied => "They replied",
    Declined => "They declined",
    NoReply => "No reply came",
});

// How an employer was contacted, in the words benefits offices use.
labels!(Method {
    OnlineApplication => "Online application",
    Email => "Email",
    Phone => "Phone",
    InPerson => "In person or video",
    JobFair => "Job fair",
    Networking => "Networking",
});

/// The five faces of a check-in, for valence 1 (heavy) to 5 (bright).
pub const MOOD_FACES: [&str; 5] = ["Heavy", "Low", "Okay", "Good", "Bright"];

/// The face for a valence; `None` outside 1 to 5.
pub fn mood_face(valence: u8) -> Option<&'static str> {
    MOOD_FACES
        .get(usize::from(valence).checked_sub(1)?)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_words_for_people_not_stored_spellings() {
        assert_eq!(Stage::Final.label(), "Final round");
        assert_eq!(Outcome::NoResponse.label(), "No answer came");
        assert_eq!(Kind::Contact.label(), "Person");
        assert_eq!(Reason::None.label(), "No reason given");
        assert_eq!(ActivityCategory::Physical.label(), "Move");
        assert_eq!(Channel::InPerson.label(), "In person");
    }

    #[test]
    fn each_valence_has_a_face_and_nothing_else_does() {
        assert_eq!(mood_face(1), Some("Heavy"));
        assert_eq!(mood_face(5), Some("Bright"));
        assert_eq!((mood_face(0), mood_face(6)), (None, None));
    }
}
