//! The words of the workload: companies, roles, people, interview topics, and sentence
//! patterns with slots, put together at random (from the seed) into the kind of text a
//! person writes in a job-search journal. Nothing here is shown by the product; it only
//! has to read like real notes so that search and storage see realistic text.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::RngExt;

const COMPANY_FIRST: &[&str] = &[
    "North",
    "Blue",
    "Bright",
    "Cedar",
    "Harbor",
    "Lumen",
    "Quartz",
    "Summit",
    "Tidal",
    "Vertex",
    "Willow",
    "Orbit",
    "Pine",
    "Copper",
    "Falcon",
    "Granite",
    "Maple",
    "Nimbus",
    "Polar",
    "Riverside",
];

const COMPANY_SECOND: &[&str] = &[
    "Labs",
    "Health",
    "Logistics",
    "Analytics",
    "Bank",
    "Games",
    "Energy",
    "Systems",
    "Software",
    "Media",
    "Robotics",
    "Foods",
    "Learning",
    "Mobility",
    "Insurance",
];

const ROLES: &[&str] = &[
    "Backend Engineer",
    "Data Engineer",
    "Senior Software Engineer",
    "Site Reliability Engineer",
    "Product Designer",
    "Data Analyst",
    "Engineering Manager",
    "Frontend Developer",
    "Machine Learning Engineer",
    "Product Manager",
    "QA Engineer",
    "Platform Engineer",
    "iOS Developer",
    "Android Developer",
    "DevOps Engineer",
    "Technical Writer",
    "Security Engineer",
    "Solutions Architect",
    "UX Researcher",
    "Staff Engineer",
];

const FIRST_NAMES: &[&str] = &[
    "Dana",
    "Priya",
    "Marcus",
    "Elena",
    "Tomás",
    "Aisha",
    "Jonas",
    "Mei",
    "Oluwaseun",
    "Sofia",
    "Liam",
    "Hana",
    "Rafael",
    "Ingrid",
    "Kwame",
    "Chloe",
    "Arjun",
    "Noor",
    "Mateo",
    "Freya",
    "Yusuf",
    "Clara",
    "Kenji",
    "Amara",
    "Felix",
    "Leila",
    "Oscar",
    "Zofia",
    "Ravi",
    "Greta",
    "Samir",
    "Ines",
    "Tobias",
    "Naomi",
    "Diego",
    "Astrid",
    "Emeka",
    "Julia",
    "Hugo",
    "Mira",
];

const LAST_NAMES: &[&str] = &[
    "Lee",
    "Sharma",
    "Okafor",
    "Novak",
    "García",
    "Haddad",
    "Berg",
    "Chen",
    "Adeyemi",
    "Rossi",
    "Murphy",
    "Tanaka",
    "Silva",
    "Larsen",
    "Mensah",
    "Dubois",
    "Patel",
    "Khan",
    "Fernández",
    "Nilsson",
    "Yilmaz",
    "Schmidt",
    "Sato",
    "Eze",
    "Weber",
    "Farah",
    "Andersson",
    "Kowalski",
    "Iyer",
    "Hoffmann",
    "Aziz",
    "Costa",
    "Becker",
    "Levi",
    "Morales",
    "Holm",
    "Nwosu",
    "Wagner",
    "Moreau",
    "Kaur",
];

const TOPICS: &[&str] = &[
    "the migration to Rust",
    "a system design question about a rate limiter",
    "their on-call rotation",
    "the Kubernetes setup they run on",
    "the rewrite of their data pipeline",
    "accessibility in the checkout flow",
    "a take-home about parsing messy CSV files",
    "pairing on a bug in the payments service",
    "how they run blameless incident reviews",
    "the roadmap for the mobile app",
    "a caching strategy for the search API",
    "my portfolio case study",
    "mentoring junior developers",
    "the team's move to event sourcing",
    "SQL window functions",
    "a question about handling conflict in a team",
    "the offline mode of their app",
    "feature flags and gradual rollouts",
    "observability and tracing",
    "the design system they are building",
    "their A/B testing platform",
    "the GraphQL gateway",
    "moving from a monolith to services",
    "the hiring manager's plans for the team",
];

const SKILLS: &[&str] = &[
    "Kubernetes",
    "Rust",
    "system design",
    "SQL",
    "TypeScript",
    "Terraform",
    "statistics",
    "public speaking",
    "product sense",
    "accessibility",
    "Python",
    "distributed tracing",
    "data modelling",
    "React",
    "Go",
    "security reviews",
    "user research",
    "Figma",
];

const LOCATIONS: &[&str] = &[
    "Berlin",
    "Lisbon",
    "Amsterdam",
    "London",
    "Toronto",
    "Austin",
    "Remote (EU)",
    "Stockholm",
    "Dublin",
    "Barcelona",
    "Manchester",
    "Zürich",
    "Remote (US)",
    "Oslo",
];

const QUESTIONS: &[&str] = &[
    "Design a rate limiter for a public API",
    "Tell me about a time you disagreed with a teammate",
    "How would you debug a slow SQL query?",
    "Walk me through a project you are proud of",
    "What would you do in your first 90 days?",
    "How do you decide what not to build?",
    "Explain a hard bug you fixed recently",
    "How would you design the feed of a social app?",
    "What does good code review look like to you?",
    "Tell me about a time you failed",
    "How do you handle an incident at 3 a.m.?",
    "What are your salary expectations?",
    "Why do you want to leave your current role?",
    "How would you test a payment flow?",
    "Reverse a linked list, then talk about its complexity",
];

const MOOD_WORDS: &[&str] = &[
    "tired",
    "hopeful",
    "anxious",
    "calm",
    "proud",
    "flat",
    "restless",
    "relieved",
    "motivated",
    "disappointed",
    "grateful",
    "nervous",
    "steady",
    "drained",
    "curious",
];

/// Sentences of everyday journal writing. `{company}`, `{role}`, `{topic}`, `{person}`,
/// `{skill}`, `{n}` and `{place}` are filled in.
const JOURNAL_SENTENCES: &[&str] = &[
    "Spent most of the morning tailoring my CV for the {role} role at {company}.",
    "I keep thinking about the conversation on {topic}.",
    "Sent out {n} applications today, which felt like real progress.",
    "Had a slow start, but a walk around {place} cleared my head.",
    "{person} from {company} replied faster than I expected.",
    "I practised {skill} for an hour before lunch.",
    "Honestly I felt nervous before the interview, and calmer once we started talking.",
    "It helps to remember that over {n}0 people probably applied for that opening.",
    "My coffee with {person} was the best part of the week.",
    "I rewrote the summary at the top of my profile again.",
    "The recruiter said the salary band is fair for {place}.",
    "I want to get better at explaining {topic} in two minutes.",
    "Today was mostly waiting, which is the hardest part.",
    "I noticed I compare myself to others too much when the inbox is quiet.",
    "Reading about {skill} reminded me why I like this work.",
    "A friend reminded me that a no is about one opening, not about me.",
    "I drafted a thank-you note but want to make it more specific.",
    "Tomorrow I will follow up with {company} about the {role} position.",
    "The take-home took longer than they said, but I learned a lot from it.",
    "I am proud of how I answered the question about {topic}.",
    "Slept badly, so I kept the to-do list short and kind.",
    "Updated my portfolio with the {skill} project from last month.",
    "It felt good to close the laptop at five and cook something proper.",
    "I should ask for feedback more often, even if most companies say no.",
    "The job board was full of roles that want ten years of {skill}.",
    "We talked about {topic} for almost the whole hour.",
    "I wrote down three things that went well this week, and there were more than three.",
    "The interview panel was friendly and asked sharp questions.",
    "I am still waiting to hear back from {company}, and that is okay.",
    "Going to the library in {place} made the day feel structured.",
];

const REFLECTION_SENTENCES: &[&str] = &[
    "The email from {company} came in this morning and it stung for a while.",
    "They went with an internal candidate, which had nothing to do with my interview.",
    "I reached the final round, which means they saw something they liked.",
    "There were probably more than {n}0 applicants for the {role} opening.",
    "My experience with {skill} is still real and still valuable.",
    "Next time I will keep preparing stories the way I did for {topic}.",
    "A small step for today: coffee with {person} and no job boards after six.",
    "Budget freezes and timing are outside my control.",
    "I am allowed to be disappointed and still keep going.",
    "If I sit on their side of the table, they needed someone who had done {topic} before.",
];

const APPLICATION_NOTES: &[&str] = &[
    "Found it through a referral from {person}.",
    "The team works on {topic}.",
    "Salary band looks fair for {place}.",
    "Hybrid, two days a week in the office.",
    "They mention {skill} in the job description three times.",
    "Glassdoor reviews are mixed but the team lead seems thoughtful.",
    "Applied through the company site with a short cover letter.",
    "Recruiter reached out on LinkedIn first.",
    "The mission resonates with me.",
    "Small team, lots of ownership.",
];

const INTERVIEW_NOTES: &[&str] = &[
    "{person} asked about {topic} and seemed happy with my answer.",
    "Ran a few minutes over, which felt like a good sign.",
    "I froze on one question but recovered.",
    "They want someone who can own {skill} from day one.",
    "Next step is a conversation with the hiring manager.",
    "The whiteboard part was about {topic}.",
    "I asked about on-call and they were open about it.",
];

const REJECTION_MESSAGES: &[&str] = &[
    "Thank you for your interest in the {role} position at {company}. After careful consideration we have decided to move forward with other candidates whose experience more closely matches our needs.",
    "Hi, thanks for taking the time to interview with us. The team was impressed, but we have decided to go with an internal candidate for this role. We wish you the best in your search.",
    "We appreciate your application for {role}. Unfortunately the position has been closed due to budget changes.",
    "Thank you for applying. We received a very large number of applications and will not be moving forward with yours at this time.",
    "It was great speaking with you about {topic}. We have decided to pursue candidates with more {skill} experience. We'll keep your details on file.",
];

const FEEDBACK: &[&str] = &[
    "They said my system design answer needed more depth on trade-offs.",
    "More concrete examples of {skill} would have helped.",
    "They liked my communication but wanted more experience with {topic}.",
    "The other candidate had led a similar migration before.",
    "Nothing specific, it was a close call.",
];

const REPLY_SUMMARIES: &[&str] = &[
    "Kind reply, they will keep me in mind for future roles.",
    "They can't share feedback because of company policy.",
    "Suggested I apply again in six months.",
    "Offered a short call next week.",
    "Said thanks and that the team enjoyed meeting me.",
];

const ACTIVITIES: &[(&str, &[&str])] = &[
    (
        "social",
        &[
            "Coffee with {person}",
            "Lunch with {person} at the market",
            "Board games with friends",
            "Called my sister for an hour",
        ],
    ),
    (
        "leisure",
        &[
            "Watched a movie at the old cinema",
            "Read a novel in the park",
            "Visited the museum in {place}",
        ],
    ),
    (
        "creative",
        &[
            "Baked sourdough bread",
            "Painted for an hour",
            "Played the guitar",
            "Tried a new recipe",
        ],
    ),
    (
        "physical",
        &[
            "Long walk by the river",
            "Bike ride to the lake",
            "Yoga class",
            "Went for a run",
            "Swimming at the public pool",
        ],
    ),
    (
        "rest",
        &[
            "Slept in and did nothing on purpose",
            "Afternoon nap",
            "A slow morning without screens",
        ],
    ),
    (
        "learning",
        &[
            "Worked through a chapter on {skill}",
            "Watched a talk about {topic}",
            "Practised {skill} exercises",
        ],
    ),
];

const GOALS: &[(&str, &[&str])] = &[
    (
        "course",
        &[
            "Finish an online course on {skill}",
            "Take the evening class on {skill}",
        ],
    ),
    (
        "skill",
        &[
            "Practise {skill} three times a week",
            "Get comfortable explaining {topic}",
        ],
    ),
    (
        "networking",
        &[
            "Reach out to two former colleagues each week",
            "Go to the {skill} meetup in {place}",
        ],
    ),
    (
        "project",
        &[
            "Build a small {skill} side project",
            "Write a blog post about {topic}",
        ],
    ),
    (
        "certification",
        &[
            "Pass the {skill} certification",
            "Prepare for the cloud architect exam",
        ],
    ),
    (
        "opportunity",
        &[
            "Apply to three roles at mission-driven companies",
            "Ask {person} about openings at {company}",
        ],
    ),
];

const ANSWERS: &[&str] = &[
    "Mostly that they needed someone who could get started without much hand-holding.",
    "I showed it best when I walked through {topic}.",
    "They might have been unsure about my depth in {skill}; a concrete number would have helped.",
    "The question about {topic} surprised me. Now I would start with the constraints.",
    "The moment we laughed about the legacy code.",
    "Three things: a good night's sleep, {person}'s message, and the sunshine in {place}.",
    "{person} helped me rehearse and gave honest notes.",
    "Sent {n} applications, had two conversations, and took one full day off.",
    "The portfolio review went well.",
    "I learned that I explain things better with a drawing.",
    "I went for a walk every day, even the rainy ones.",
    "One thing for next week: ask {person} for a referral.",
    "Practised {skill} with small exercises every morning.",
    "In an interview, as a story about learning fast.",
    "Next step is a small project that uses it.",
    "Tired and a little flat, but not hopeless.",
    "Underneath it is the worry that I am falling behind.",
    "I would tell a friend that this takes time and they are doing the work.",
    "They chose someone else; the reasons are mostly not about me.",
    "Interview count, budget and timing were all outside my hands.",
    "I still have years of {skill} experience and good references.",
    "Keep preparing stories with numbers in them.",
    "Coffee with a friend and an early night.",
];

pub struct Words<'r> {
    pub rng: &'r mut StdRng,
}

impl Words<'_> {
    fn pick<'a>(&mut self, from: &'a [&'a str]) -> &'a str {
        from.choose(self.rng).expect("word lists are not empty")
    }

    pub fn company(&mut self) -> String {
        format!("{} {}", self.pick(COMPANY_FIRST), self.pick(COMPANY_SECOND))
    }

    pub fn role(&mut self) -> String {
        self.pick(ROLES).to_string()
    }

    pub fn person(&mut self) -> String {
        format!("{} {}", self.pick(FIRST_NAMES), self.pick(LAST_NAMES))
    }

    pub fn topic(&mut self) -> String {
        self.pick(TOPICS).to_string()
    }

    pub fn location(&mut self) -> String {
        self.pick(LOCATIONS).to_string()
    }

    pub fn question(&mut self) -> String {
        self.pick(QUESTIONS).to_string()
    }

    pub fn mood_words(&mut self) -> Vec<String> {
        let n = self.rng.random_range(0..=3);
        let mut words: Vec<String> = (0..n).map(|_| self.pick(MOOD_WORDS).to_string()).collect();
        words.sort();
        words.dedup();
        words
    }

    /// Fills the slots of a sentence pattern.
    fn fill(&mut self, pattern: &str, company: Option<&str>, role: Option<&str>) -> String {
        let mut out = pattern.to_string();
        if out.contains("{company}") {
            let c = company.map_or_else(|| self.company(), str::to_string);
            out = out.replace("{company}", &c);
        }
        if out.contains("{role}") {
            let r = role.map_or_else(|| self.role(), str::to_string);
            out = out.replace("{role}", &r);
        }
        for (slot, value) in [
            ("{topic}", TOPICS),
            ("{skill}", SKILLS),
            ("{place}", LOCATIONS),
        ] {
            if out.contains(slot) {
                let v = self.pick(value).to_string();
                out = out.replace(slot, &v);
            }
        }
        if out.contains("{person}") {
            let first = self.pick(FIRST_NAMES).to_string();
            out = out.replace("{person}", &first);
        }
        if out.contains("{n}") {
            let n = self.rng.random_range(2..9).to_string();
            out = out.replace("{n}", &n);
        }
        out
    }

    /// `count` sentences from `pool`, as one paragraph (or two, for longer texts).
    fn sentences(
        &mut self,
        pool: &[&str],
        count: usize,
        company: Option<&str>,
        role: Option<&str>,
    ) -> String {
        let mut text = String::new();
        for i in 0..count {
            let pattern = self.pick(pool);
            let sentence = self.fill(pattern, company, role);
            if i > 0 {
                text.push_str(if i == count / 2 && count >= 6 {
                    "\n\n"
                } else {
                    " "
                });
            }
            text.push_str(&sentence);
        }
        text
    }

    /// A journal entry's body: three to eight sentences.
    pub fn journal_body(&mut self) -> String {
        let n = self.rng.random_range(3..=8);
        self.sentences(JOURNAL_SENTENCES, n, None, None)
    }

    pub fn reflection(&mut self, company: &str, role: &str) -> String {
        let n = self.rng.random_range(3..=6);
        self.sentences(REFLECTION_SENTENCES, n, Some(company), Some(role))
    }

    pub fn answer(&mut self) -> String {
        let n = self.rng.random_range(1..=2);
        self.sentences(ANSWERS, n, None, None)
    }

    pub fn application_notes(&mut self) -> String {
        let n = self.rng.random_range(0..=3);
        self.sentences(APPLICATION_NOTES, n, None, None)
    }

    pub fn interview_notes(&mut self) -> String {
        let n = self.rng.random_range(1..=4);
        self.sentences(INTERVIEW_NOTES, n, None, None)
    }

    pub fn rejection_message(&mut self, company: &str, role: &str) -> String {
        let pattern = self.pick(REJECTION_MESSAGES);
        self.fill(pattern, Some(company), Some(role))
    }

    pub fn feedback(&mut self) -> String {
        let pattern = self.pick(FEEDBACK);
        self.fill(pattern, None, None)
    }

    pub fn reply_summary(&mut self) -> String {
        self.pick(REPLY_SUMMARIES).to_string()
    }

    pub fn mood_note(&mut self) -> String {
        match self.rng.random_range(0..3) {
            0 => String::new(),
            _ => self.sentences(JOURNAL_SENTENCES, 1, None, None),
        }
    }

    /// A restorative activity's category (as stored) and description.
    pub fn activity(&mut self) -> (&'static str, String) {
        let (category, descriptions) = *ACTIVITIES.choose(self.rng).expect("not empty");
        let pattern = self.pick(descriptions);
        (category, self.fill(pattern, None, None))
    }

    /// A growth goal's kind (as stored) and title.
    pub fn goal(&mut self) -> (&'static str, String) {
        let (kind, titles) = *GOALS.choose(self.rng).expect("not empty");
        let pattern = self.pick(titles);
        (kind, self.fill(pattern, None, None))
    }

    pub fn moment(&mut self) -> String {
        format!("our conversation about {}", self.topic())
    }

    pub fn email(&mut self, name: &str, company: &str) -> String {
        let first = name
            .split_whitespace()
            .next()
            .unwrap_or(name)
            .to_lowercase();
        let domain: String = company
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        format!("{first}@{domain}.example")
    }
}

/// Searches a person would type: single words, two-word phrases, a company, a name, and
/// one that finds nothing.
pub const QUERIES: &[&str] = &[
    "migration",
    "rate limiter",
    "feedback",
    "thank you",
    "coffee",
    "kubernetes",
    "salary",
    "Harbor Health",
    "internal candidate",
    "nervous interview",
    "system design",
    "portfolio",
    "Priya",
    "zeppelin",
];
