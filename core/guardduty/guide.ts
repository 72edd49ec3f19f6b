import { RULE_GUIDES } from '../detection/rule-guides.ts';
import type { Detection } from '../model/detection.ts';
// The guide type lives beside the incident view, which imports nothing back (no alert.ts ↔ guide.ts cycle).
import type { RuleGuide as AlertGuide } from '../slack-views/alert-rules.ts';
import { guardDutyTactic } from './finding-types.ts';

/**
 * What to tell the responder about a GuardDuty finding, per tactic family (the part of the type
 * before `:`). AWS groups its remediation advice the same way; kubeguard's text points at the
 * buttons on the alert.
 */
const GUIDE_BY_TACTIC: Record<string, AlertGuide> = {
  Execution: {
    whyItMatters:
      'Code ran inside the cluster outside the normal deployment path (an exec session, a new binary, a shell or a suspicious tool). Attackers use this to steal service-account tokens and move to other pods and nodes.',
    firstResponse:
      'Ask the owner of the principal whether the session or process was expected. If not, isolate the pod to keep its state for forensics, then review what else the same principal or image did.',
  },
  PrivilegeEscalation: {
    whyItMatters:
      'A workload gained more power than a container should have (privileged mode, host mounts, container-escape techniques or new RBAC rights). From there an attacker can take over the node and every pod on it.',
    firstResponse:
      'Find who deployed the workload or granted the rights and whether a change request covers it. If not, isolate the pod or remove the binding, then check the node for other changes.',
  },
  Persistence: {
    whyItMatters:
      'Someone set up a way to keep access to the cluster (a workload, a binding or an anonymous path) that survives credential rotation and redeployments.',
    firstResponse:
      'Identify the object that was created or changed and who did it. Remove it if it is not expected, then rotate the credentials of the principal involved.',
  },
  CredentialAccess: {
    whyItMatters:
      'Secrets or credentials were read in a way GuardDuty considers suspicious. Anything read may already be in an attacker’s hands and usable outside the cluster.',
    firstResponse:
      'List the secrets involved and rotate them; then review the principal’s other requests and revoke its access if the reads were not expected.',
  },
  Discovery: {
    whyItMatters:
      'Someone is mapping the cluster (permissions, resources, endpoints). Reconnaissance is usually the first step of an attack, and the caller already holds working credentials.',
    firstResponse:
      'Check whether the principal and source IP are known. If not, revoke the credentials used, block the source and look for later write activity by the same identity.',
  },
  Impact: {
    whyItMatters:
      'The activity abuses or damages the cluster: crypto mining, requests to malicious domains, or destructive API calls from untrusted sources.',
    firstResponse:
      'Isolate the affected pod to stop the activity while keeping evidence, then find how the workload or credentials were compromised before redeploying.',
  },
  DefenseEvasion: {
    whyItMatters:
      'Something tried to hide its activity or evade monitoring (process injection, kernel modules, fileless execution, anonymous or anonymised API use). Legitimate software rarely does this.',
    firstResponse:
      'Treat the workload as compromised: isolate the pod, keep the node for forensics, and review recent changes to the image and its deployment.',
  },
  Policy: {
    whyItMatters:
      'A cluster setting now violates security best practice (anonymous access, admin rights for a default service account, an exposed dashboard). It is an open door rather than an attack in progress.',
    firstResponse:
      'Confirm the change was intended. If not, revert it (delete the binding or restrict the service) and run a posture audit to find similar gaps.',
  },
  Backdoor: {
    whyItMatters:
      'A container is talking to a known command-and-control server: it is very likely already under an attacker’s control.',
    firstResponse:
      'Isolate the pod immediately, rotate the secrets it could read, and rebuild the image from a trusted source.',
  },
  CryptoCurrency: {
    whyItMatters:
      'A container is running or contacting crypto-mining software. Mining is the most common payload after a container compromise and it burns paid compute.',
    firstResponse:
      'Isolate the pod, find how the miner got in (image, exec session or vulnerable app), and rotate the credentials the workload holds.',
  },
  Trojan: {
    whyItMatters:
      'A container contacted domains or addresses associated with malware (drop points, DGA domains, phishing). The workload may be infected.',
    firstResponse:
      'Isolate the pod, inspect its processes and network connections, and rebuild it from a trusted image if malware is confirmed.',
  },
  UnauthorizedAccess: {
    whyItMatters:
      'A workload uses Tor or tries to reach the instance metadata service through DNS rebinding: typical of exfiltration or attempts to steal the node’s IAM credentials.',
    firstResponse:
      'Isolate the pod, check whether node IAM credentials were used from elsewhere, and require IMDSv2 with a hop limit of 1 on the nodes.',
  },
  AttackSequence: {
    whyItMatters:
      'GuardDuty correlated several signals into one multi-stage attack on this cluster. This is its highest-confidence finding type.',
    firstResponse:
      'Start incident response now: isolate the affected workloads, rotate the credentials involved, and follow the signals listed in the GuardDuty console.',
  },
};

const GENERIC_GUIDE: AlertGuide = {
  whyItMatters:
    'GuardDuty reported suspicious activity in this cluster. Its analysis combines threat intelligence and anomaly detection that kubeguard cannot reproduce from the audit log.',
  firstResponse:
    'Open the finding in the GuardDuty console, confirm whether the activity was expected, and isolate the pod if it was not.',
};

/** Responder guidance for a GuardDuty finding type, by its tactic family. */
export function guardDutyGuide(findingType: string): AlertGuide {
  return GUIDE_BY_TACTIC[guardDutyTactic(findingType)] ?? GENERIC_GUIDE;
}

/**
 * The guide for an alert: the catalog rule's own text when the detection maps to a rule that is
 * registered, the GuardDuty tactic guide otherwise.
 */
export function guideForDetection(detection: Pick<Detection, 'ruleId' | 'findingType'>): AlertGuide {
  // From the generated guide catalog, not the registry: rendering needs the text, not the rules (D30).
  if (Object.hasOwn(RULE_GUIDES, detection.ruleId)) return RULE_GUIDES[detection.ruleId] as AlertGuide;
  return guardDutyGuide(detection.findingType ?? detection.ruleId);
}
