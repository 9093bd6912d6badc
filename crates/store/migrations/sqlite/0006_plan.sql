-- The welfare plan of a report and its yearly follow-up. Both migrations of this
-- number must stay in step. Money is stored in cents and person-years in hundredths
-- (INTEGER), so sums are exact on both backends.
CREATE TABLE plan_goal (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_goal_report ON plan_goal(report_id, position);

-- The concerns (or joys) a goal answers.
CREATE TABLE plan_goal_observation (
    goal_id INTEGER NOT NULL REFERENCES plan_goal(id) ON DELETE CASCADE,
    observation_id INTEGER NOT NULL REFERENCES observation(id) ON DELETE CASCADE,
    PRIMARY KEY (goal_id, observation_id)
);

CREATE TABLE plan_action (
    id INTEGER PRIMARY KEY,
    goal_id INTEGER NOT NULL REFERENCES plan_goal(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    sector TEXT NOT NULL,
    responsible TEXT NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    tags TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_action_goal ON plan_action(goal_id, position);

-- Planned resources per budget year.
CREATE TABLE plan_resource (
    action_id INTEGER NOT NULL REFERENCES plan_action(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    euros_cents INTEGER NOT NULL,
    person_years_hundredths INTEGER NOT NULL,
    PRIMARY KEY (action_id, year)
);

-- The yearly cycle: status, narrative and resources used per action and budget year.
CREATE TABLE plan_progress (
    action_id INTEGER NOT NULL REFERENCES plan_action(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    narrative TEXT NOT NULL,
    euros_used_cents INTEGER,
    person_years_used_hundredths INTEGER,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (action_id, year)
);

-- Follow-up indicators of a goal (action_id NULL) or of one of its actions.
CREATE TABLE plan_followup (
    id INTEGER PRIMARY KEY,
    goal_id INTEGER NOT NULL REFERENCES plan_goal(id) ON DELETE CASCADE,
    action_id INTEGER REFERENCES plan_action(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL,
    baseline_year INTEGER NOT NULL,
    baseline_value REAL NOT NULL,
    baseline_overridden INTEGER NOT NULL,
    target_year INTEGER NOT NULL,
    target_value REAL NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_followup_goal ON plan_followup(goal_id);

-- Yearly reports generated from a term report's plan.
CREATE TABLE plan_yearly_report (
    report_id INTEGER PRIMARY KEY REFERENCES report(id) ON DELETE CASCADE,
    term_report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    year INTEGER NOT NULL
);
CREATE INDEX plan_yearly_term ON plan_yearly_report(term_report_id, year);
