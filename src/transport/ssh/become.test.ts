import assert from 'node:assert/strict';
import { becomeUserProblem, describeBecomeFailure, describeSuFailure, isSuPrompt, needsSudo, suCommand, sudoPrefix } from './become.js';

describe('become command building', () => {
  it('reads the password from stdin with our own prompt marker and target user', () => {
    assert.equal(sudoPrefix('root', 'KVMPLAY-abc-SUDO:'), 'sudo -S -H -p KVMPLAY-abc-SUDO: -u root --');
  });

  it('quotes an odd target user name', () => {
    assert.equal(sudoPrefix("o'brien", 'P:'), `sudo -S -H -p P: -u 'o'\\''brien' --`);
  });

  it('refuses a prompt marker that sudo would expand', () => {
    assert.throws(() => sudoPrefix('root', 'pw %u:'), /%/);
  });

  it('runs su with /bin/sh and the script as -c, the target user last', () => {
    assert.equal(suCommand('postgres', 'id -un'), `su -s /bin/sh -c 'id -un' postgres`);
    assert.equal(suCommand('app', "echo 'x'"), `su -s /bin/sh -c 'echo '\\''x'\\''' app`);
  });

  it('refuses become users su or sudo would misread', () => {
    assert.equal(becomeUserProblem('www-data'), null);
    assert.match(becomeUserProblem('') ?? '', /empty/);
    assert.match(becomeUserProblem('-c') ?? '', /starts with "-"/);
    assert.match(becomeUserProblem('a b') ?? '', /blanks/);
    assert.throws(() => suCommand('-l', 'id'), TypeError);
  });

  it('recognises su\'s password prompt in several languages, and nothing else', () => {
    for (const p of ['Password: ', 'Password:', "kvp's Password: ", 'Passwort: ', 'Mot de passe : ', 'Пароль: ', '密码：']) {
      assert.equal(isSuPrompt(p), true, p);
    }
    for (const p of ['su:', 'su: Authentication failure', 'Password', 'Enter your new Password: now']) {
      assert.equal(isSuPrompt(p), false, p);
    }
  });

  it('skips sudo when the login user already is the become user', () => {
    assert.equal(needsSudo('root', 'root'), false);
    assert.equal(needsSudo('kvp', 'root'), true);
    assert.equal(needsSudo('root', 'postgres'), true);
  });
});

describe('become failures', () => {
  it('calls a second prompt an incorrect password, whatever the language', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 2, passwordGiven: true, chatter: 'Désolé, essayez de nouveau.\n' });
    assert.match(msg, /incorrect sudo password for kvp/);
  });

  it('recognises sudo\'s own incorrect-password message', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 1, passwordGiven: true, chatter: 'sudo: 1 incorrect password attempt\n' });
    assert.match(msg, /incorrect sudo password/);
  });

  it('says so when sudo wants a password and none is set', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 1, passwordGiven: false, chatter: 'sudo: no password was provided\n' });
    assert.match(msg, /none is set \(become_password\)/);
  });

  it('reports "a password is required" from sudo -n style refusals', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 0, passwordGiven: false, chatter: 'sudo: a password is required\n' });
    assert.match(msg, /requires a password/);
  });

  it('passes on sudo\'s reason for any other refusal', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 1, passwordGiven: true, chatter: 'kvp is not in the sudoers file.\n' });
    assert.equal(msg, 'become failed: sudo as kvp to root was refused (sudo: kvp is not in the sudoers file.)');
  });

  it('says when sudo is missing on the host', () => {
    const msg = describeBecomeFailure('kvp', 'root', { prompts: 0, passwordGiven: true, chatter: 'sh: 1: exec: sudo: not found\n' });
    assert.match(msg, /sudo is not installed/);
  });
});

describe('su become failures', () => {
  it('calls "Authentication failure" after the password an incorrect su password for the target user', () => {
    const msg = describeSuFailure('kvp', 'app', { prompts: 1, passwordGiven: true, chatter: 'su: Authentication failure\n' });
    assert.match(msg, /incorrect su password for app .*target user's password/);
  });

  it('says so when su wants a password and none is set', () => {
    const msg = describeSuFailure('kvp', 'app', { prompts: 1, passwordGiven: false, chatter: 'su: Authentication failure\n' });
    assert.match(msg, /su asks for app's password and none is set \(become_password/);
  });

  it('explains a su that insists on a terminal', () => {
    const msg = describeSuFailure('kvp', 'root', { prompts: 0, passwordGiven: true, chatter: 'su: must be run from a terminal\n' });
    assert.match(msg, /reads the password from a terminal only.*become_method sudo/);
  });

  it('passes on su\'s reason for any other refusal', () => {
    const msg = describeSuFailure('root', 'nobody', { prompts: 0, passwordGiven: false, chatter: 'This account is currently not available.\n' });
    assert.equal(msg, 'become failed: su as root to nobody was refused (su: This account is currently not available.)');
  });
});
