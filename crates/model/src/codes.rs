//! The code values of SPEC §2: parsed once at the edge (trimmed, upper-cased,
//! SPEC §6.2 rule 10), never compared as strings inside rules.

/// Declares an enum of spec codes with its text form.
macro_rules! spec_codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as the spec writes it.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a code value: trimmed and case-insensitive.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $(if t.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

spec_codes! {
    /// Claim categories, SPEC §2.2.
    Category {
        MileageCar = "MILEAGE_CAR",
        MileageLeaseCar = "MILEAGE_LEASE_CAR",
        MileageMotorcycle = "MILEAGE_MOTORCYCLE",
        MileageBicycle = "MILEAGE_BICYCLE",
        Passenger = "PASSENGER",
        ExcessTravel = "EXCESS_TRAVEL",
        OncallMileage = "ONCALL_MILEAGE",
        Parking = "PARKING",
        Toll = "TOLL",
        Rail = "RAIL",
        Bus = "BUS",
        Taxi = "TAXI",
        Air = "AIR",
        CarHire = "CAR_HIRE",
        HireFuel = "HIRE_FUEL",
        Hotel = "HOTEL",
        NonCommercialOvernight = "NON_COMMERCIAL_OVERNIGHT",
        OvernightMeals = "OVERNIGHT_MEALS",
        DayMeal = "DAY_MEAL",
        EveningMeal = "EVENING_MEAL",
        Incidental = "INCIDENTAL",
        Hospitality = "HOSPITALITY",
        SeasonTicket = "SEASON_TICKET",
        Relocation = "RELOCATION",
        RelocationMisc = "RELOCATION_MISC",
        Sundry = "SUNDRY",
        Fine = "FINE",
    }
}

spec_codes! {
    /// The pay element group of a claim line (SPEC §4.1 `pay_element`).
    PayElement {
        Mileage = "MILEAGE",
        Travel = "TRAVEL",
        Subsistence = "SUBSISTENCE",
        Relocation = "RELOCATION",
        Sundry = "SUNDRY",
    }
}

impl Category {
    /// The seven mileage categories (SPEC §6.4 rule 19).
    pub fn is_mileage(self) -> bool {
        use Category::*;
        matches!(
            self,
            MileageCar
                | MileageLeaseCar
                | MileageMotorcycle
                | MileageBicycle
                | Passenger
                | ExcessTravel
                | OncallMileage
        )
    }

    /// Categories whose receipt is required (SPEC §2.2 "receipt needed").
    pub fn needs_receipt(self) -> bool {
        use Category::*;
        matches!(
            self,
            Parking
                | Toll
                | Rail
                | Bus
                | Taxi
                | Air
                | CarHire
                | HireFuel
                | Hotel
                | OvernightMeals
                | DayMeal
                | EveningMeal
                | Hospitality
                | SeasonTicket
                | Relocation
                | RelocationMisc
                | Sundry
        )
    }

    /// The payroll element group of SPEC §4.1 (FINE is TRAVEL, §6.5 rule 34).
    pub fn pay_element(self) -> PayElement {
        use Category::*;
        match self {
            MileageCar | MileageLeaseCar | MileageMotorcycle | MileageBicycle | Passenger | ExcessTravel
            | OncallMileage => PayElement::Mileage,
            Parking | Toll | Rail | Bus | Taxi | Air | CarHire | HireFuel | SeasonTicket | Fine => {
                PayElement::Travel
            }
            Hotel
            | NonCommercialOvernight
            | OvernightMeals
            | DayMeal
            | EveningMeal
            | Incidental
            | Hospitality => PayElement::Subsistence,
            Relocation | RelocationMisc => PayElement::Relocation,
            Sundry => PayElement::Sundry,
        }
    }
}

spec_codes! {
    /// Mileage travel type, SPEC §2.1.
    TravelType {
        Clinical = "CLINICAL",
        NonClinical = "NON_CLINICAL",
        Community = "COMMUNITY",
        NonCommunity = "NON_COMMUNITY",
    }
}

spec_codes! {
    /// Receipt flag, SPEC §2.1 (Y/N variants accepted too, §6.2 rule 10).
    Receipt { Yes = "Y", No = "N", Lost = "LOST" }
}

spec_codes! {
    /// Rail ticket class.
    RailClass { Standard = "STANDARD", First = "FIRST" }
}

spec_codes! {
    /// Highest prior authorisation, in the order of SPEC §6.5 rule 33.
    AuthLevel {
        None = "NONE",
        LineManager = "LINE_MANAGER",
        CareGroupDirector = "CARE_GROUP_DIRECTOR",
        ExecutiveDirector = "EXECUTIVE_DIRECTOR",
        ChiefExecutive = "CHIEF_EXECUTIVE",
    }
}

spec_codes! {
    /// Staff group, SPEC §2.3.
    StaffGroup { Afc = "AFC", Medical = "MEDICAL", Other = "OTHER" }
}

spec_codes! {
    /// Shift types, SPEC §2.3.
    ShiftType {
        Day = "DAY",
        Night = "NIGHT",
        LongDay = "LONG_DAY",
        Oncall = "ONCALL",
        Callout = "CALLOUT",
        Training = "TRAINING",
    }
}

spec_codes! {
    /// Absence types, SPEC §2.3.
    AbsenceType {
        Sickness = "SICKNESS",
        Annual = "ANNUAL",
        BereavementImmediate = "BEREAVEMENT_IMMEDIATE",
        BereavementClose = "BEREAVEMENT_CLOSE",
        Funeral = "FUNERAL",
        Emergency = "EMERGENCY",
        Carers = "CARERS",
        Jury = "JURY",
        Reservist = "RESERVIST",
        Magisterial = "MAGISTERIAL",
        PublicDutyPaid = "PUBLIC_DUTY_PAID",
        PublicDutyUnpaid = "PUBLIC_DUTY_UNPAID",
        UnpaidSpecial = "UNPAID_SPECIAL",
        Unauthorised = "UNAUTHORISED",
        Parental = "PARENTAL",
        OtherPaid = "OTHER_PAID",
        Maternity = "MATERNITY",
        Paternity = "PATERNITY",
        Adoption = "ADOPTION",
        SharedParental = "SHARED_PARENTAL",
    }
}

impl AbsenceType {
    /// Whether days worked during this leave are keeping-in-touch days paid
    /// on return (SPEC §14): maternity and adoption (KIT), shared parental
    /// (SPLIT); paternity leave has none.
    pub fn has_kit_days(self) -> bool {
        matches!(self, AbsenceType::Maternity | AbsenceType::Adoption | AbsenceType::SharedParental)
    }
}

spec_codes! {
    /// Sickness certification, best last (SPEC §6.7 rule 42).
    Certificate { None = "NONE", SelfCert = "SELF", FitNote = "FIT_NOTE" }
}

spec_codes! {
    /// Reason on the pay-protection register.
    ProtectionReason {
        OrgChange = "ORG_CHANGE",
        Downgrade = "DOWNGRADE",
        Capability = "CAPABILITY",
        Conduct = "CONDUCT",
        Voluntary = "VOLUNTARY",
        Secondment = "SECONDMENT",
        ActingUp = "ACTING_UP",
    }
}

spec_codes! {
    /// Kind of pay protection.
    ProtectionKind { Short = "SHORT", Long = "LONG", Both = "BOTH" }
}

/// Blank cells take these values (SPEC §6.2 rules 10, 12).
impl Default for Receipt {
    fn default() -> Receipt {
        Receipt::No
    }
}

// The enums come from `spec_codes!`, whose variants cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for RailClass {
    fn default() -> RailClass {
        RailClass::Standard
    }
}

#[allow(clippy::derivable_impls)]
impl Default for AuthLevel {
    fn default() -> AuthLevel {
        AuthLevel::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_trimmed_and_case_insensitive() {
        assert_eq!(Category::parse(" mileage_car "), Some(Category::MileageCar));
        assert_eq!(Category::parse("MILEAGE CAR"), None);
        assert_eq!(AuthLevel::parse("chief_executive"), Some(AuthLevel::ChiefExecutive));
    }

    #[test]
    fn auth_levels_are_ordered_as_the_spec() {
        assert!(AuthLevel::None < AuthLevel::LineManager);
        assert!(AuthLevel::CareGroupDirector < AuthLevel::ExecutiveDirector);
        assert!(AuthLevel::ExecutiveDirector < AuthLevel::ChiefExecutive);
    }

    #[test]
    fn fine_is_a_travel_element() {
        assert_eq!(Category::Fine.pay_element(), PayElement::Travel);
    }
}
