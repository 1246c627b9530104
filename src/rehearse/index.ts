export { type RehearsalCompose, rehearsalCompose } from './rehearsal-compose';
export {
  type RehearsalReport,
  RehearsalReportSchema,
  type RehearsedHop,
  RehearsedHopSchema,
} from './rehearsal-report';
export { type RehearsalEvent, type RehearseOptions, rehearse } from './rehearse';
