// Webhook bodies: a generic JSON document, a Microsoft Teams message (an Adaptive Card in a message
// attachment, as Teams incoming webhooks and Workflows take it) and a Slack message (text + blocks).
import type { WebhookFormat } from '../config/notify.js';
import { heldBackLine, type NotificationMessage, type Severity } from './message.js';

export function webhookBody(format: WebhookFormat, message: NotificationMessage): unknown {
  switch (format) {
    case 'json':
      return jsonBody(message);
    case 'teams':
      return teamsBody(message);
    case 'slack':
      return slackBody(message);
  }
}

export function jsonBody(m: NotificationMessage): Record<string, unknown> {
  return {
    source: 'dropwise',
    event: m.event,
    severity: m.severity,
    at: m.at,
    host: m.host,
    title: m.title,
    summary: m.summary,
    nextStep: m.nextStep,
    heldBack: m.heldBack,
    facts: m.facts,
    details: m.data,
  };
}

const TEAMS_COLOUR: Record<Severity, string> = { error: 'Attention', warning: 'Warning', good: 'Good', info: 'Default' };

export function teamsBody(m: NotificationMessage): Record<string, unknown> {
  const held = heldBackLine(m);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', color: TEAMS_COLOUR[m.severity], wrap: true },
            { type: 'TextBlock', text: m.summary, wrap: true },
            ...(held ? [{ type: 'TextBlock', text: held, isSubtle: true, wrap: true }] : []),
            { type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value })) },
            { type: 'TextBlock', text: `**What to do next:** ${m.nextStep}`, wrap: true },
          ],
        },
      },
    ],
  };
}

/** Slack's mrkdwn treats &, < and > as markup. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Slack's limits: a header holds 150 characters, a section 10 fields of 2000 characters each.
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function slackBody(m: NotificationMessage): Record<string, unknown> {
  const held = heldBackLine(m);
  const fields = m.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: clip(`*${slackEscape(f.label)}*\n${slackEscape(f.value)}`, 2000) }));
  return {
    text: slackEscape(`${m.title}: ${m.summary}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(m.title, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(slackEscape(m.summary), 3000) } },
      ...(held ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(held) }] }] : []),
      ...(fields.length > 0 ? [{ type: 'section', fields }] : []),
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*What to do next:* ${slackEscape(m.nextStep)}`, 3000) } },
    ],
  };
}
