//! The organisation's cost centres (SPEC §13): about one per five to seven
//! staff, a few of them large departments, so that insights' Outliers sheet
//! (SPEC §9: at least 10 peers of one cost centre) has colleagues to compare
//! people with.
//!
//! A cost centre belongs to a site: its code is the letter of the base site
//! and four digits, as ESR exports them (`D1316`). Each site's staff, in the
//! order of the one draw each profile makes for it (`team_ticket`), are cut
//! into the site's departments and teams by size, so a department's headcount
//! is exact rather than left to chance, and the same staff (same seed) are in
//! the same cost centres in every month.

/// Headcounts of the large departments, in turn over the sites (a ward, a
/// community nursing team, theatres ...): large enough to keep 25 or more
/// claimants in a month, but for a site of fewer than 34 staff (below).
const DEPARTMENT_SIZES: [usize; 6] = [34, 29, 31, 27, 33, 28];

/// Relative sizes of the small teams, in turn (four or five people each).
const TEAM_WEIGHTS: [usize; 8] = [6, 3, 5, 2, 4, 7, 3, 4];

/// Staff a site needs for its first large department, and for each further one.
const FIRST_DEPARTMENT_FROM: usize = 32;
const STAFF_PER_FURTHER_DEPARTMENT: usize = 75;

/// The cost centre of each member of staff, given as (first letter of the base
/// site, draw), in the same order: per site letter (RDASH and RETFORD share
/// "R"), one large department from 32 staff and one more per further 75 (about
/// 40% of a site), the rest in teams of four or five.
pub(super) fn assign(staff: &[(char, u64)]) -> Vec<String> {
    let mut letters: Vec<char> = staff.iter().map(|(letter, _)| *letter).collect();
    letters.sort_unstable();
    letters.dedup();
    let mut codes = vec![String::new(); staff.len()];
    let mut departments = 0;
    for letter in letters {
        let mut site: Vec<usize> = (0..staff.len()).filter(|&i| staff[i].0 == letter).collect();
        site.sort_by_key(|&i| (staff[i].1, i));
        let sizes = team_sizes(site.len(), &mut departments);
        let mut members = site.into_iter();
        for (team, size) in sizes.into_iter().enumerate() {
            let code = format!("{letter}{}", team_number(letter, team));
            for i in members.by_ref().take(size) {
                codes[i] = code.clone();
            }
        }
    }
    codes
}

/// The headcount of each cost centre of a site of `headcount` staff, large
/// departments first; they add up to `headcount`. `departments` counts the
/// large departments made so far (their sizes go round [`DEPARTMENT_SIZES`]).
fn team_sizes(headcount: usize, departments: &mut usize) -> Vec<usize> {
    let large = if headcount >= FIRST_DEPARTMENT_FROM {
        1 + (headcount - FIRST_DEPARTMENT_FROM) / STAFF_PER_FURTHER_DEPARTMENT
    } else {
        0
    };
    let mut sizes = Vec::new();
    let mut rest = headcount;
    for _ in 0..large {
        // A small site's department leaves a fifth of it for the other teams
        // (a site of 32 has one of 25).
        let size = DEPARTMENT_SIZES[*departments % DEPARTMENT_SIZES.len()].min(rest * 4 / 5);
        *departments += 1;
        sizes.push(size);
        rest -= size;
    }
    let teams = (2 * rest + 4) / 9; // rest / 4.5, rounded
    let teams = if rest > 0 { teams.max(1) } else { 0 };
    let weights: Vec<usize> = (0..teams).map(|t| TEAM_WEIGHTS[t % TEAM_WEIGHTS.len()]).collect();
    let total: usize = weights.iter().sum();
    let (mut weight_so_far, mut placed) = (0, 0);
    for weight in weights {
        weight_so_far += weight;
        // Cut at the rounded share of the weight so far: the sizes add up exactly.
        let cut = (rest * weight_so_far + total / 2) / total;
        sizes.push(cut - placed);
        placed = cut;
    }
    sizes.retain(|&size| size > 0);
    sizes
}

/// The four digits of the `team`-th cost centre of a site: spread over
/// 1000–9999 like a real chart of accounts, from a different start per site
/// letter (379 is prime to 9000, so 9,000 teams of one site get distinct codes).
fn team_number(letter: char, team: usize) -> usize {
    1000 + (137 * letter as usize + 379 * team) % 9000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_add_up_with_a_department_from_32_staff() {
        for headcount in [0, 1, 3, 7, 31, 32, 33, 38, 81, 106, 107, 7_400] {
            let mut departments = 0;
            let sizes = team_sizes(headcount, &mut departments);
            assert_eq!(sizes.iter().sum::<usize>(), headcount, "{headcount}");
            assert!(sizes.iter().all(|&s| s > 0), "{headcount}: {sizes:?}");
            let expected = if headcount < 32 { 0 } else { 1 + (headcount - 32) / 75 };
            assert_eq!(departments, expected, "{headcount}: {sizes:?}");
            assert!(sizes[..departments].iter().all(|&s| s >= 25), "{headcount}: {sizes:?}");
            assert!(sizes[departments..].iter().all(|&s| s <= 8), "{headcount}: {sizes:?}");
        }
    }

    #[test]
    fn team_codes_are_four_digits_and_distinct() {
        let codes: std::collections::HashSet<usize> = (0..9_000).map(|t| team_number('D', t)).collect();
        assert_eq!(codes.len(), 9_000);
        assert!(codes.iter().all(|c| (1000..=9999).contains(c)));
    }
}
