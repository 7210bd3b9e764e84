export { FakePagerDuty, type PagerDutyIncident } from "./pagerduty";
