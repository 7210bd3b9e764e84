export { FakeOpsgenie, type OpsgenieAlert } from "./opsgenie";
export { FakePagerDuty, type PagerDutyIncident } from "./pagerduty";
