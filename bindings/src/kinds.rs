//! The closed vocabularies of the journal (kinds, stages, outcomes, reasons...), exposed
//! as the core's own enums: each definition here mirrors the core's and the compiler
//! checks they agree.

pub use onward_core::model::{
    ActivityCategory, Channel, ContactRole, ContextFactor, EntryKind, FeedbackStatus, GoalKind,
    GoalStatus, InterviewKind, MessageKind, MessageStatus, Outcome, Perspective, Reason, Source,
    Stage, WorkMode,
};

/// Named for what it is once outside the core.
pub type RecordKind = onward_core::model::Kind;
pub type ReminderRule = onward_core::reminders::Rule;

/// The kinds of record a journal holds.
#[uniffi::remote(Enum)]
pub enum RecordKind {
    Application,
    Interview,
    Contact,
    Rejection,
    Message,
    Entry,
    Mood,
    Activity,
    Goal,
}

/// How far an application went. Stages only move forward; the history keeps each step.
#[uniffi::remote(Enum)]
pub enum Stage {
    Saved,
    Applied,
    Screening,
    Interviewing,
    Final,
    Offer,
}

/// How an application ended, kept apart from its stage. `Open` until something happens.
#[uniffi::remote(Enum)]
pub enum Outcome {
    Open,
    Rejected,
    Withdrawn,
    NoResponse,
    OfferDeclined,
    Hired,
}

/// Where an opportunity came from.
#[uniffi::remote(Enum)]
pub enum Source {
    Referral,
    JobBoard,
    CompanySite,
    Recruiter,
    Network,
    Other,
}

/// Where the work happens.
#[uniffi::remote(Enum)]
pub enum WorkMode {
    Onsite,
    Hybrid,
    Remote,
}

/// The kind of conversation. Logging one moves the application to the matching stage.
#[uniffi::remote(Enum)]
pub enum InterviewKind {
    RecruiterScreen,
    Phone,
    Technical,
    TakeHome,
    Panel,
    HiringManager,
    Final,
}

/// Who a contact is in the search.
#[uniffi::remote(Enum)]
pub enum ContactRole {
    Recruiter,
    HiringManager,
    Interviewer,
    Referrer,
    Peer,
    Friend,
}

/// How a rejection arrived; `Silence` when no answer ever came.
#[uniffi::remote(Enum)]
pub enum Channel {
    Email,
    Phone,
    Portal,
    InPerson,
    Silence,
}

/// The reason the company gave, if any. Most give none; that is normal.
#[uniffi::remote(Enum)]
pub enum Reason {
    None,
    StrongerCandidate,
    InternalCandidate,
    RoleClosed,
    ExperienceLevel,
    SkillsGap,
    LocationVisa,
    Compensation,
    Other,
}

/// Circumstances of a rejection that had nothing to do with the person.
#[uniffi::remote(Enum)]
pub enum ContextFactor {
    ManyApplicants,
    InternalHire,
    Budget,
    Timing,
}

/// Where asking for feedback stands. Declined and no reply are ordinary outcomes.
#[uniffi::remote(Enum)]
pub enum FeedbackStatus {
    NotRequested,
    Requested,
    Declined,
    Received,
    NoReply,
}

/// The kind of note written to someone.
#[uniffi::remote(Enum)]
pub enum MessageKind {
    ThankYou,
    FeedbackRequest,
    FollowUp,
    Networking,
}

/// Where a note stands. `Declined` and `NoReply` are normal endings, not failures.
#[uniffi::remote(Enum)]
pub enum MessageStatus {
    Draft,
    Sent,
    Replied,
    Declined,
    NoReply,
}

/// The kind of journal entry; each has its own prompts (see `Journal.prompts`).
#[uniffi::remote(Enum)]
pub enum EntryKind {
    Free,
    RejectionReflection,
    Debrief,
    Expressive,
    Gratitude,
    WeeklyReview,
    LearningLog,
}

/// Writing about oneself in the third person can make a hard day easier to look at.
#[uniffi::remote(Enum)]
pub enum Perspective {
    First,
    Third,
}

/// The kinds of restorative activity.
#[uniffi::remote(Enum)]
pub enum ActivityCategory {
    Social,
    Leisure,
    Creative,
    Physical,
    Rest,
    Learning,
}

/// The kinds of growth goal.
#[uniffi::remote(Enum)]
pub enum GoalKind {
    Course,
    Skill,
    Networking,
    Project,
    Certification,
    Opportunity,
}

/// Where a goal stands; `Dropped` (let go of) is a fine decision too.
#[uniffi::remote(Enum)]
pub enum GoalStatus {
    Open,
    InProgress,
    Done,
    Dropped,
}

/// Why a reminder is offered.
#[uniffi::remote(Enum)]
pub enum ReminderRule {
    FollowUp,
    NextAction,
    Debrief,
    ThankYou,
    CheckIn,
    StepBack,
    WeeklyReview,
}
